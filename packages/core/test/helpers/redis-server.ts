import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/** A real redis-server (Debian's, installed by scripts/test.sh) on a free port, never a stand-in. */
export interface RedisServer {
  readonly port: number;
  /** A new client of this server; closed by `stop`. */
  client(): Redis;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts redis-server on 127.0.0.1 without persistence and waits until it accepts connections. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const server: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const failed = once(server, 'error');
  for (let i = 0; !(await accepts(port)); i++) {
    const error = await Promise.race([failed.then(([e]) => e as Error), sleep(50).then(() => undefined)]);
    if (error !== undefined) throw new Error(`redis-server did not start: ${error.message}`);
    if (i > 100) throw new Error(`redis-server did not start on port ${port}`);
  }
  const clients: Redis[] = [];
  return {
    port,
    client() {
      const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.disconnect();
      server.kill();
      if (server.exitCode === null) await once(server, 'exit');
    },
  };
}
