// Installs md the way a user does: every published package packed with
// `pnpm pack`, the tarballs installed by npm into a fresh project outside the
// workspace together with Express, Fastify, Koa and MikroORM 7; then a
// TypeScript file that uses the public API is type-checked (strict, nodenext)
// and run: a server on each adapter in front of a database-per-domain site
// on SQLite, where two domains must never see each other's notes.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'md-packed-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const versionOf = (name: string, from = 'examples/storefront'): string => {
  const pkg = JSON.parse(readFileSync(join(repo, from, 'package.json'), 'utf8'));
  return pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
};

function published(): Array<{ dir: string; name: string }> {
  return readdirSync(join(repo, 'packages'))
    .map((dir) => ({
      dir,
      pkg: JSON.parse(readFileSync(join(repo, 'packages', dir, 'package.json'), 'utf8')),
    }))
    .filter(({ pkg }) => pkg.private !== true)
    .map(({ dir, pkg }) => ({ dir, name: pkg.name as string }));
}

it('packed tarballs install with npm outside the workspace, type-check under nodenext and keep two domains apart on every adapter', {
  timeout: 600_000,
}, () => {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const files: Record<string, string> = {};
  for (const { dir, name } of published()) {
    const out = execFileSync('pnpm', ['pack', '--pack-destination', tarballs], {
      cwd: join(repo, 'packages', dir),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 60_000,
    });
    const tgz = out.trim().split('\n').pop()!.trim();
    files[name] = `file:${tgz}`;
  }
  expect(Object.keys(files).length).toBeGreaterThanOrEqual(12);

  const app = join(work, 'app');
  mkdirSync(app);
  const mikro = versionOf('@mikro-orm/core');
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'md-consumer',
        private: true,
        type: 'module',
        dependencies: {
          ...files,
          '@mikro-orm/core': mikro,
          '@mikro-orm/sql': mikro,
          '@mikro-orm/migrations': mikro,
          express: versionOf('express'),
          fastify: versionOf('fastify'),
          koa: versionOf('koa'),
        },
        devDependencies: {
          typescript: versionOf('typescript', '.'),
          '@types/node': versionOf('@types/node', '.'),
          '@types/express': versionOf('@types/express'),
          '@types/koa': versionOf('@types/koa'),
        },
        // The tarballs name each other by version (`^0.1.0`): resolve those to the tarballs too.
        overrides: files,
      },
      null,
      2,
    ),
  );
  for (const file of ['consumer.ts', 'tsconfig.json'])
    copyFileSync(join(import.meta.dirname, 'fixture', file), join(app, file));
  const env = {
    ...process.env,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  // A cache of its own (removed with the folder): no other npm on the machine can hold it up,
  // and nothing is left behind. Every step is bounded in time.
  execFileSync(
    'npm',
    [
      'install',
      '--no-package-lock',
      '--loglevel=error',
      '--cache',
      join(work, 'npm-cache'),
      '--fetch-timeout=60000',
    ],
    { cwd: app, env, stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 },
  );

  // Nothing of the workspace leaks in: every @md package comes from its tarball.
  for (const name of Object.keys(files)) {
    const installed = JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8'));
    expect(JSON.stringify(installed)).not.toContain('workspace:');
  }

  execFileSync(join(app, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], {
    cwd: app,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 120_000,
  });

  const output = execFileSync(process.execPath, ['consumer.ts', join(app, 'data')], {
    cwd: app,
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 120_000,
  });
  const seen = JSON.parse(output.trim().split('\n').pop()!) as Record<
    string,
    Record<string, { domain: string; notes: string[] }>
  >;
  expect(Object.keys(seen)).toEqual(['express', 'fastify', 'koa']);
  const acme: string[] = [];
  const globex: string[] = [];
  for (const framework of ['express', 'fastify', 'koa']) {
    acme.push(`${framework}: acme's note`);
    globex.push(`${framework}: globex's note`);
    const s = seen[framework]!;
    expect(s.acmeRead).toEqual({ domain: 'acme', notes: acme });
    expect(s.globexRead).toEqual({ domain: 'globex', notes: globex });
  }
});
