#!/usr/bin/env node
// Checks every published package (packages/*, not private) the way a user gets it.
// Run after `pnpm build`: `pnpm check:packages` (part of `pnpm test`).
//
// For each package: `pnpm pack` into a temporary folder (pnpm applies
// publishConfig and turns `workspace:` ranges into versions, as `pnpm publish`
// does), then on that tarball
//   - publint: fails on any message, suggestions included;
//   - @arethetypeswrong/cli with `--profile esm-only`: the packages are ESM only
//     ("type": "module", no `require` condition, no `main`), so the profile
//     leaves out the two resolutions that cannot apply to them — `node10`
//     (ignores `exports`) and `node16` from CommonJS (a `require` of ESM);
//   - the packed package.json: no `source` condition (it points at src/, which
//     is not published), `types` first in every condition block, no
//     `workspace:` range left, engines.node as the root's, repository with
//     this package's directory, `sideEffects` set (listed files exist), MIT;
//   - the tarball holds README.md and LICENSE (the same text as the root's);
// and in the repository, publishConfig.exports must be `exports` without the
// `source` condition, so the two cannot drift apart.
//
// Usage: node scripts/check-packages.mjs [package-dir...]   (default: every published package)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rootManifest = readJson(join(root, 'package.json'));
const rootLicense = readFileSync(join(root, 'LICENSE'), 'utf8');
const attwBin = join(root, 'node_modules', '.bin', 'attw');
const REPOSITORY_URL = 'git+https://github.com/md-framework/md.git';

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function run(command, args, cwd) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** `exports` as it must be published: the same entries and targets, without `source`, `types` first. */
function publishedExports(value) {
  if (typeof value !== 'object' || value === null) return value;
  const out = {};
  if ('types' in value) out.types = value.types;
  for (const [key, inner] of Object.entries(value)) {
    if (key !== 'source' && key !== 'types') out[key] = publishedExports(inner);
  }
  return out;
}

/** Problems of an exports tree: a `source` condition anywhere, or `types` not first in a block. */
function exportsProblems(value, path = 'exports') {
  if (typeof value !== 'object' || value === null) return [];
  const keys = Object.keys(value);
  const problems = [];
  if (keys.includes('source')) problems.push(`${path} has a "source" condition (src/ is not published)`);
  if (keys.includes('types') && keys[0] !== 'types')
    problems.push(`${path}: "types" is not the first condition`);
  for (const key of keys) problems.push(...exportsProblems(value[key], `${path}[${JSON.stringify(key)}]`));
  return problems;
}

/** The README's `npm install` lines must name the package and every peer dependency it requires. */
function readmeProblems(published, readmePath) {
  const lines = readFileSync(readmePath, 'utf8')
    .split('\n')
    .filter((line) => /^\s*npm (install|i)\b/.test(line));
  if (lines.length === 0) return ['README.md has no `npm install` line'];
  const named = new Set(lines.flatMap((line) => line.split('#')[0].trim().split(/\s+/)));
  const meta = published.peerDependenciesMeta ?? {};
  const required = Object.keys(published.peerDependencies ?? {}).filter((peer) => !meta[peer]?.optional);
  return [published.name, ...required]
    .filter((dep) => !named.has(dep))
    .map(
      (dep) =>
        `README.md: no \`npm install\` line names ${dep === published.name ? 'the package' : `its required peer ${dep}`}`,
    );
}

async function checkPackage(dir, scratch) {
  const manifest = readJson(join(dir, 'package.json'));
  const name = manifest.name;
  const rel = relative(root, dir);
  const problems = [];

  if (!existsSync(join(dir, 'dist'))) {
    return { name, problems: [`${rel}/dist is missing: run \`pnpm build\` first`] };
  }
  const expected = publishedExports(manifest.exports);
  if (JSON.stringify(manifest.publishConfig?.exports) !== JSON.stringify(expected)) {
    problems.push(
      `${rel}/package.json: publishConfig.exports must be exports without "source", types first:\n${JSON.stringify(expected, null, 2)}`,
    );
  }

  const packDir = join(scratch, basename(dir));
  const packed = await run('pnpm', ['pack', '--pack-destination', packDir, '--json'], dir);
  if (packed.code !== 0) return { name, problems: [`pnpm pack failed:\n${packed.stderr}${packed.stdout}`] };
  const { filename, files } = JSON.parse(packed.stdout);
  const tarball = resolve(dir, filename);
  const paths = new Set(files.map((f) => f.path));

  // The manifest as published, read back from the tarball.
  const untar = await run('tar', ['-xzf', tarball, '-C', packDir], dir);
  if (untar.code !== 0) return { name, problems: [`tar failed: ${untar.stderr}`] };
  const published = readJson(join(packDir, 'package', 'package.json'));
  problems.push(...exportsProblems(published.exports));
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dep, range] of Object.entries(published[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${field}.${dep} is still ${range}`);
    }
  }
  if (published.engines?.node !== rootManifest.engines.node) {
    problems.push(
      `engines.node is ${published.engines?.node}, the repository's is ${rootManifest.engines.node}`,
    );
  }
  if (published.repository?.url !== REPOSITORY_URL || published.repository?.directory !== rel) {
    problems.push(`repository must be { type: "git", url: "${REPOSITORY_URL}", directory: "${rel}" }`);
  }
  if (published.license !== 'MIT') problems.push(`license is ${published.license}, not MIT`);
  if (published.sideEffects === undefined) problems.push('sideEffects is not set');
  for (const file of Array.isArray(published.sideEffects) ? published.sideEffects : []) {
    if (!paths.has(file.replace(/^\.\//, '')))
      problems.push(`sideEffects lists ${file}, which is not in the tarball`);
  }
  for (const file of ['README.md', 'LICENSE'])
    if (!paths.has(file)) problems.push(`${file} is not in the tarball`);
  if (paths.has('LICENSE') && readFileSync(join(packDir, 'package', 'LICENSE'), 'utf8') !== rootLicense) {
    problems.push(`${rel}/LICENSE differs from the repository's LICENSE`);
  }
  if (paths.has('README.md'))
    problems.push(...readmeProblems(published, join(packDir, 'package', 'README.md')));

  const tarballData = readFileSync(tarball);
  const lint = await publint({
    pack: {
      tarball: tarballData.buffer.slice(tarballData.byteOffset, tarballData.byteOffset + tarballData.length),
    },
    level: 'suggestion',
  });
  for (const message of lint.messages) {
    problems.push(
      `publint ${message.type} ${message.code}: ${formatMessage(message, lint.pkg, { color: false })}`,
    );
  }

  const attw = await run(
    attwBin,
    [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-emoji'],
    dir,
  );
  if (attw.code !== 0) problems.push(`attw (--profile esm-only):\n${attw.stdout}${attw.stderr}`);

  return { name, problems, files: paths.size, lint: lint.messages.length, attw: attw.code };
}

const args = process.argv.slice(2);
const dirs = (
  args.length > 0
    ? args.map((a) => resolve(a))
    : readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d))
)
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .filter((dir) => readJson(join(dir, 'package.json')).private !== true)
  .sort();
if (dirs.length === 0) {
  console.error('check-packages: no published package found');
  process.exit(1);
}

const scratch = mkdtempSync(join(tmpdir(), 'md-check-packages-'));
let results;
try {
  results = [];
  const queue = [...dirs];
  const worker = async () => {
    for (let dir = queue.shift(); dir !== undefined; dir = queue.shift())
      results.push(await checkPackage(dir, scratch));
  };
  await Promise.all(Array.from({ length: 4 }, worker));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

results.sort((a, b) => a.name.localeCompare(b.name));
let failed = 0;
for (const { name, problems, files } of results) {
  if (problems.length === 0) {
    console.log(`ok   ${name}: publint clean, attw clean (esm-only), manifest ok, ${files} files`);
  } else {
    failed++;
    console.error(`FAIL ${name}:`);
    for (const p of problems) console.error(`  - ${p.replaceAll('\n', '\n    ')}`);
  }
}
console.log(`check-packages: ${results.length - failed} passed, ${failed} failed`);
if (failed > 0) process.exit(1);
