import { request } from 'node:http';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Set-Cookie headers of this answer. */
  cookies: string[];
}

/**
 * A tiny HTTP client that can set `Host` (fetch cannot) and remembers cookies
 * the way a browser would: per host, sent only under their Path.
 */
export class Visitor {
  readonly #jar = new Map<string, { host: string; path: string; name: string; value: string }>();

  constructor(readonly baseUrl: string) {}

  get(host: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.#send('GET', host, path, undefined, headers);
  }

  post(host: string, path: string, form: Record<string, string>): Promise<Answer> {
    return this.#send('POST', host, path, new URLSearchParams(form).toString());
  }

  /** Cookies this visitor holds, as `host path name`. */
  cookies(): string[] {
    return [...this.#jar.values()].map((c) => `${c.host} ${c.path} ${c.name}`);
  }

  #send(
    method: string,
    host: string,
    path: string,
    body?: string,
    extra: Record<string, string> = {},
  ): Promise<Answer> {
    const { hostname, port } = new URL(this.baseUrl);
    const cookie = [...this.#jar.values()]
      .filter(
        (c) =>
          c.host === host &&
          (path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const headers: Record<string, string> = { ...extra, host };
    if (cookie !== '') headers.cookie = cookie;
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const req = request({ hostname, port, path, method, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => {
          const setCookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
          for (const line of setCookies) this.#remember(host, line);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, cookies: setCookies });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  #remember(host: string, line: string): void {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq);
    const value = pair!.slice(eq + 1);
    const path = attrs.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
    const maxAge = attrs.find((a) => a.toLowerCase().startsWith('max-age='));
    const key = `${host} ${path} ${name}`;
    if (value === '' || maxAge === 'Max-Age=0') this.#jar.delete(key);
    else this.#jar.set(key, { host, path, name, value });
  }
}
