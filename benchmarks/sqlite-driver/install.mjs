// Installing better-sqlite3 13 the way a user would (`npm i better-sqlite3@13`)
// and timing it: into the benchmark's git-ignored cache (once, reused by later
// runs), into fresh folders outside the workspace with an empty npm cache
// (what a fresh clone pays), and — only with MD_BENCH_COMPILE=1 — a compile from source
// with node-gyp (what a platform without a prebuilt binary pays).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR } from '../lib/common.mjs';

export const SPEC = 'better-sqlite3@13';
export const CACHE_DIR = join(BENCH_DIR, '.cache', 'better-sqlite3');

/** Runs a command; resolves with its exit code, wall seconds and the tail of its output. */
function run(command, args, options) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (chunk) => {
      out = (out + chunk).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => resolve({ code: -1, seconds: 0, output: String(error) }));
    child.on('close', (code) => {
      resolve({ code: code ?? -1, seconds: (performance.now() - started) / 1000, output: out.trim() });
    });
  });
}

/** The npm environment: the Node on PATH (scripts/with-node.sh) and, when set, its headers for node-gyp. */
function npmEnv() {
  return { ...process.env, npm_config_update_notifier: 'false' };
}

/** What got installed, and which native binary `require('better-sqlite3')` really loads in this Node. */
async function inspect(folder) {
  const pkgFile = join(folder, 'node_modules', 'better-sqlite3', 'package.json');
  if (!existsSync(pkgFile)) return { installed: false };
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  const probe = `
    const { createRequire } = require('node:module');
    const req = createRequire(${JSON.stringify(join(folder, 'package.json'))});
    const Database = req('better-sqlite3');
    const db = new Database(':memory:');
    const sqlite = db.prepare('select sqlite_version() as v').get().v;
    db.close();
    const binaries = Object.keys(require.cache).filter((f) => f.endsWith('.node'));
    console.log(JSON.stringify({ sqlite, binaries }));`;
  const loaded = await run(process.execPath, ['-e', probe], { env: process.env });
  const info = loaded.code === 0 ? JSON.parse(loaded.output.split('\n').at(-1)) : { error: loaded.output };
  const binary = info.binaries?.[0];
  return {
    installed: true,
    version: pkg.version,
    installScript: pkg.scripts?.install ?? null,
    gypfile: pkg.gypfile ?? null,
    sqlite: info.sqlite,
    binary: binary === undefined ? null : binary.slice(folder.length + 1),
    binaryKind:
      binary === undefined
        ? 'none loaded'
        : binary.includes('/prebuilds/')
          ? 'prebuilt binary shipped inside the npm package'
          : binary.includes('/build/')
            ? 'compiled on this machine (node-gyp)'
            : 'other',
    loadError: info.error,
  };
}

/** `npm i better-sqlite3@13` in `folder` (its own `{"private":true}` package.json), timed. */
async function npmInstall(folder, cache) {
  mkdirSync(folder, { recursive: true });
  if (!existsSync(join(folder, 'package.json')))
    writeFileSync(join(folder, 'package.json'), '{"private":true}\n');
  const args = ['i', SPEC, '--no-audit', '--no-fund', '--loglevel=error'];
  if (cache !== undefined) args.push('--cache', cache);
  const result = await run('npm', args, { cwd: folder, env: npmEnv() });
  return {
    seconds: result.seconds,
    exitCode: result.code,
    output: result.output.slice(-1500),
    npmCache: cache === undefined ? 'npm default cache' : 'empty, fresh',
    ...(await inspect(folder)),
  };
}

function environment() {
  return {
    npmConfigNodedir: process.env.npm_config_nodedir ?? null,
    node: process.version,
  };
}

/**
 * better-sqlite3 in benchmarks/.cache/better-sqlite3/ (git-ignored): installed
 * and timed on the first run, reused afterwards. Returns its `Database` class
 * and the install record (from the run that installed it).
 */
export async function ensureBetterSqlite() {
  const recordFile = join(CACHE_DIR, 'install.json');
  let record;
  let installedNow = false;
  const present = existsSync(join(CACHE_DIR, 'node_modules', 'better-sqlite3', 'package.json'));
  if (present && existsSync(recordFile)) {
    record = JSON.parse(readFileSync(recordFile, 'utf8'));
  } else {
    console.log(`installing ${SPEC} into ${CACHE_DIR} (first run)`);
    record = { date: new Date().toISOString(), ...environment(), ...(await npmInstall(CACHE_DIR)) };
    if (record.exitCode !== 0 || record.loadError !== undefined || !record.installed) {
      throw new Error(
        `npm i ${SPEC} failed (exit ${record.exitCode}):\n${record.output}\n${record.loadError ?? ''}`,
      );
    }
    writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`);
    installedNow = true;
  }
  const Database = createRequire(join(CACHE_DIR, 'package.json'))('better-sqlite3');
  return { Database, record: { ...record, installedNow } };
}

/**
 * `runs` installs, each into a new folder under the OS temp folder (outside
 * the workspace) with an empty npm cache, so the package really comes from
 * the registry and any build step really runs. The folders are removed.
 */
export async function freshInstalls(runs) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const folder = mkdtempSync(join(tmpdir(), 'md-bs3-fresh-'));
    try {
      console.log(`fresh install ${i + 1}/${runs} in ${folder}`);
      results.push({
        ...environment(),
        ...(await npmInstall(join(folder, 'app'), join(folder, 'npm-cache'))),
      });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
  return results;
}

/**
 * What a machine without a prebuilt binary pays: a fresh install, then
 * better-sqlite3's own `build-release` script (node-gyp, against the headers
 * in npm_config_nodedir), timed, and the compiled binary loaded to prove it
 * works. The folder is removed.
 */
export async function compileFromSource() {
  const folder = mkdtempSync(join(tmpdir(), 'md-bs3-compile-'));
  try {
    const app = join(folder, 'app');
    const install = await npmInstall(app, join(folder, 'npm-cache'));
    if (install.exitCode !== 0) return { ...environment(), install, exitCode: install.exitCode };
    const pkgDir = join(app, 'node_modules', 'better-sqlite3');
    console.log(`compiling better-sqlite3 from source in ${pkgDir}`);
    const build = await run('npm', ['run', 'build-release', '--loglevel=error'], {
      cwd: pkgDir,
      env: npmEnv(),
    });
    const built = join(pkgDir, 'build', 'Release', 'better_sqlite3.node');
    let loads = false;
    if (build.code === 0 && existsSync(built)) {
      const probe = `const D = require(${JSON.stringify(pkgDir)}); const db = new D(':memory:', { nativeBinding: ${JSON.stringify(built)} }); db.prepare('select 1').get(); db.close();`;
      loads = (await run(process.execPath, ['-e', probe], { env: process.env })).code === 0;
    }
    return {
      ...environment(),
      command: 'npm run build-release (node-gyp rebuild --release)',
      seconds: build.seconds,
      exitCode: build.code,
      loads,
      output: build.output.slice(-1500),
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
