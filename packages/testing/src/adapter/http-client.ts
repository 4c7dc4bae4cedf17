import { type Agent, request } from 'node:http';

/**
 * One answer, as the conformance suite compares it.
 *
 * @example
 * const { status, headers, body } = await send(url, { host: 'acme.example', path: '/' });
 */
export interface ClientResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
}

/**
 * What to send: `fetch` cannot set `Host`, so the suite speaks HTTP through node:http.
 *
 * @example
 * await send(url, { host: 'platform.test', path: '/whoami', headers: { 'x-tenant-id': 'acme' } });
 */
export interface ClientRequest {
  host: string;
  path: string;
  /** Default `GET`. */
  method?: string;
  headers?: Record<string, string>;
  /** Sent as is, with a Content-Length. */
  body?: string;
  agent?: Agent;
}

/**
 * Sends a request (a GET unless told) to a server started by a harness with
 * a chosen `Host` header and answers status, headers and the JSON body.
 *
 * @example
 * const res = await send(app.url, { host: 'acme.example', path: '/whoami' });
 */
export function send(
  baseUrl: string,
  { host, path, method = 'GET', headers = {}, body, agent }: ClientRequest,
): Promise<ClientResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, agent, headers: { ...headers, host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Not JSON: keep the text so the failure shows what came back.
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
