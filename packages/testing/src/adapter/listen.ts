import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningApp } from './types.js';

/**
 * Listens on 127.0.0.1, port 0 (any free port), and answers the base URL and
 * a `close` that also ends keep-alive connections, so a test never waits for
 * idle sockets to time out.
 *
 * @example
 * const app = express();
 * return listenOnLoopback(createServer(app));
 */
export async function listenOnLoopback(server: Server): Promise<RunningApp> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep backlog: the load test opens hundreds of connections at once.
    server.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
