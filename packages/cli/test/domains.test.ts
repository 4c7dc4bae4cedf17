import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@md/testing';
import { beforeAll, expect, it } from 'vitest';
import { runCli } from '../src/index.js';

const cwd = fileURLToPath(new URL('./fixtures/fleet/', import.meta.url));
let dir: string;

/** Runs `md` in this process (the fixture config reads process.env), capturing what it prints. */
// biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON answers have many shapes, checked by the assertions
async function md(...argv: string[]): Promise<{ code: number; out: string; err: string; json: any }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    cwd,
    env: process.env,
    stdout: {
      write: (c: string) => {
        out += c;
        return true;
      },
    } as never,
    stderr: {
      write: (c: string) => {
        err += c;
        return true;
      },
    } as never,
  });
  let json: unknown;
  try {
    json = JSON.parse(out.trim().split('\n').at(-1) ?? '');
  } catch {
    json = undefined;
  }
  return { code, out, err, json };
}

beforeAll(async () => {
  dir = tempDir('md-cli-domains-');
  process.env.MD_TEST_DIR = dir;
  process.env.MD_TEST_STAGE = '1';
  process.env.MD_TEST_REGISTRY = `sqlite:${join(dir, 'registry.sqlite')}`;
  process.env.MD_LOG_LEVEL = 'silent';
});

it('md domains add|list|update|suspend|resume|remove, md seed and md run work on the registry', async () => {
  const added = await md(
    'domains',
    'add',
    'acme',
    '--name',
    'Acme',
    '--host',
    'acme.test',
    '--attr',
    'plan=pro',
    '--attr',
    'seats=5',
    '--provision',
    '--json',
  );
  expect(added.code, added.out + added.err).toBe(0);
  expect(added.json.domain).toMatchObject({
    name: 'acme',
    displayName: 'Acme',
    attributes: { plan: 'pro', seats: 5 },
  });
  expect(added.json.provisionMs).toBeTypeOf('number');
  expect(existsSync(join(dir, 'acme.sqlite'))).toBe(true);
  expect((await md('domains', 'add', 'globex')).out).toMatch(/added globex/);

  const list = await md('domains', 'list', '--json');
  expect(list.json.domains.map((d: { name: string }) => d.name)).toEqual(['acme', 'globex']);
  expect((await md('domains', 'list')).out).toMatch(/acme\s+active\s+acme\.test/);

  expect(
    (await md('domains', 'update', 'acme', '--attr', 'plan=enterprise', '--json')).json.domain.attributes,
  ).toEqual({ plan: 'enterprise', seats: 5 });
  expect((await md('domains', 'suspend', 'acme', '--json')).json.domain.status).toBe('suspended');
  expect((await md('domains', 'resume', 'acme')).out).toMatch(/acme is active/);

  const seeded = await md('seed', '--domains', 'acme', '--json');
  expect(seeded.json.seeded).toEqual(['acme']);
  const ran = await md('run', 'acme', '--json', '--', 'scripts/count-notes.ts', 'x');
  expect(ran.code, ran.err).toBe(0);
  expect(ran.json.result).toEqual({ domain: 'acme', notes: 1, args: ['x'] });

  const refused = await md('domains', 'remove', 'acme', '--json');
  expect([refused.code, refused.json.error.code]).toEqual([1, 'CONFIRMATION_REQUIRED']);
  expect((await md('domains', 'remove', 'acme', '--confirm', 'acme')).code).toBe(0);
  expect(existsSync(join(dir, 'acme.sqlite'))).toBe(false);
  expect((await md('domains', 'list', '--json')).json.domains.map((d: { name: string }) => d.name)).toEqual([
    'globex',
  ]);

  const duplicate = await md('domains', 'add', 'globex', '--json');
  expect([duplicate.code, duplicate.json.error.code]).toEqual([1, 'DUPLICATE_DOMAIN']);
});

it('md domains add --provision rolls a failed provisioning back, as the admin API does', async () => {
  // A folder where the domain's SQLite file must go: opening the database fails.
  const blocker = join(dir, 'broken.sqlite');
  await mkdir(blocker);
  const failed = await md('domains', 'add', 'broken', '--host', 'broken.test', '--provision', '--json');
  expect([failed.code, failed.json.ok, failed.json.error.code]).toEqual([1, false, 'PROVISION_FAILED']);
  const names = (await md('domains', 'list', '--json')).json.domains.map((d: { name: string }) => d.name);
  expect(names).not.toContain('broken');
  // Nothing of it stays: with the cause gone, the same code onboards, and removing it erases its data.
  await rm(blocker, { recursive: true });
  const added = await md('domains', 'add', 'broken', '--host', 'broken.test', '--provision', '--json');
  expect([added.code, added.json.domain.hosts.map((h: { host: string }) => h.host)]).toEqual([
    0,
    ['broken.test'],
  ]);
  expect(existsSync(blocker)).toBe(true);
  expect((await md('domains', 'remove', 'broken', '--confirm', 'broken')).code).toBe(0);
  expect(existsSync(blocker)).toBe(false);
});

it('fails with exit code 2 and a hint on bad usage or a missing config', async () => {
  const unknown = await md('frobnicate');
  expect([unknown.code, unknown.err]).toEqual([2, expect.stringMatching(/unknown command "frobnicate"/)]);
  const noConfig = await runCli(['migrate'], { cwd: tmpdir(), stderr: { write: () => true } as never });
  expect(noConfig).toBe(2);
  expect((await md('--help')).out).toMatch(/md migrate \[--all/);
  expect((await md('domains', 'frob', 'acme')).code).toBe(2);
  expect((await md('domains', 'add')).code).toBe(2);
});

it('the built `md` binary reads md.config.ts as is (through tsx), under plain node', async () => {
  const { execFile } = await import('node:child_process');
  const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
  expect(existsSync(bin)).toBe(true); // `pnpm test` builds before it tests
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      [bin, 'domains', 'list', '--json'],
      {
        cwd,
        env: { ...process.env, MD_LOG_LEVEL: 'silent', MD_TEST_DIR: dir, MD_TEST_DOMAINS: '3' },
      },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    ),
  );
  const answer = JSON.parse(out.trim().split('\n').at(-1) ?? '');
  expect(answer.ok).toBe(true);
});
