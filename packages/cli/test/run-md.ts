import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const cwd = fileURLToPath(new URL('./fixtures/fleet/', import.meta.url));

export interface MdRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed as JSON (with --json). */
  // biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON answers have many shapes, checked by the assertions
  json: any;
}

/** Starts the real `md` command in its own process, on the fleet fixture's md.config.ts. */
export function startMd(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<MdRun> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', bin, ...args], {
    cwd,
    env: { ...process.env, MD_LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += c));
  child.stderr!.on('data', (c) => (stderr += c));
  const done = new Promise<MdRun>((resolve) => {
    child.on('close', (code, signal) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      let json: unknown;
      try {
        json = JSON.parse(last);
      } catch {
        json = undefined;
      }
      resolve({ code, signal, stdout, stderr, json });
    });
  });
  return { child, done };
}

export function md(args: string[], env: Record<string, string>): Promise<MdRun> {
  return startMd(args, env).done;
}
