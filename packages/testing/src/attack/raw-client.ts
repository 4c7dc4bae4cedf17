import { connect } from 'node:net';

/**
 * One answer read off a raw socket.
 *
 * @example
 * const { status, headers, body } = await sendRaw(url, rawRequest({ target: '/x', host: 'acme.example' }));
 */
export interface RawResponse {
  /** The status code, or 0 when no answer came before the timeout. */
  readonly status: number;
  /** Header names in lower case; a repeated header's values joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body, or the text when it is not JSON. */
  readonly body: unknown;
  /** Milliseconds from sending to the whole answer (or to the timeout). */
  readonly ms: number;
  /** True when the server closed the connection after answering. */
  readonly closed: boolean;
}

/**
 * A request as written on the wire: the request line, every header in
 * order (two `Host` lines, odd spellings and bad bytes included) and the
 * body, if any. `Connection: close` is added unless a header says otherwise.
 *
 * @example
 * rawRequest({ target: 'http://globex.example/x', headers: [['Host', 'acme.example']] });
 */
export interface RawRequestInit {
  method?: string;
  /** The request-target exactly as sent: `/x`, `http://host/x`, `*`… */
  target: string;
  /** Sent as the only `Host` header, before `headers`; leave out to send none (or your own). */
  host?: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  /** Sent as is after the headers; no `Content-Length` is added for it. */
  body?: string;
  /** `HTTP/1.1` unless told. */
  version?: string;
}

/** Writes {@link RawRequestInit} as the bytes of one HTTP/1.x request. */
export function rawRequest({
  method = 'GET',
  target,
  host,
  headers = [],
  body = '',
  version = 'HTTP/1.1',
}: RawRequestInit): string {
  const lines = [`${method} ${target} ${version}`];
  if (host !== undefined) lines.push(`Host: ${host}`);
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  if (!headers.some(([name]) => name.toLowerCase() === 'connection')) lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * Options of {@link sendRaw}.
 *
 * @example
 * await sendRaw(url, bytes, { timeoutMs: 2000, awaitClose: true });
 */
export interface SendRawOptions {
  /** Give up (status 0) after this many milliseconds (default 5,000). */
  timeoutMs?: number;
  /** After the answer, wait up to a second for the server to close the connection, and report whether it did. */
  awaitClose?: boolean;
}

/**
 * Sends raw bytes to the server at `baseUrl` over `node:net`, so a test
 * controls everything `node:http` would tidy up (duplicate headers,
 * absolute-form targets, bad encodings, a body that never comes), and
 * answers the first response once it is complete (by `Content-Length`, by
 * chunks, or when the server closes), or status 0 after `timeoutMs`.
 *
 * @example
 * const res = await sendRaw(app.url, 'GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n');
 * res.status; // 400
 */
export function sendRaw(baseUrl: string, bytes: string, options: SendRawOptions = {}): Promise<RawResponse> {
  const { timeoutMs = 5000, awaitClose = false } = options;
  const { hostname, port } = new URL(baseUrl);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let data = Buffer.alloc(0);
    let answer: { parsed: Parsed; ms: number } | undefined;
    let settled = false;
    const settle = (response: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      socket.destroy();
      resolve(response);
    };
    let grace: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      if (answer !== undefined) settle({ ...answer.parsed, ms: answer.ms, closed: false });
      else settle({ status: 0, headers: {}, body: '', ms: performance.now() - started, closed: false });
    }, timeoutMs);
    const onData = (closed: boolean) => {
      if (answer === undefined) {
        const parsed = parse(data, closed);
        if (parsed === undefined && !closed) return;
        answer = {
          parsed: parsed ?? { status: 0, headers: {}, body: data.toString('latin1') },
          ms: performance.now() - started,
        };
      }
      if (closed || !awaitClose) return settle({ ...answer.parsed, ms: answer.ms, closed });
      grace ??= setTimeout(() => settle({ ...answer!.parsed, ms: answer!.ms, closed: false }), 1000);
    };
    socket.on('connect', () => socket.write(bytes, 'latin1'));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      onData(false);
    });
    socket.on('end', () => onData(true));
    socket.on('close', () => onData(true));
    socket.on('error', () => onData(true));
  });
}

type Parsed = Pick<RawResponse, 'status' | 'headers' | 'body'>;

/** The first complete response in `data`, or undefined while it is still arriving (read to the end once `closed`). */
function parse(data: Buffer, closed: boolean): Parsed | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(statusLine.split(' ')[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const rest = data.subarray(end + 4);
  let body: Buffer | undefined;
  if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) body = dechunk(rest);
  else if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    body = rest.length >= length ? rest.subarray(0, length) : undefined;
  } else body = status === 204 || status === 304 ? Buffer.alloc(0) : closed ? rest : undefined;
  if (body === undefined) return undefined;
  const text = body.toString('utf8');
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status, headers, body: parsed };
}

/** A chunked body once its last chunk arrived, else undefined. */
function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return Buffer.concat(parts);
    const start = lineEnd + 2;
    if (data.length < start + size + 2) return undefined;
    parts.push(data.subarray(start, start + size));
    at = start + size + 2;
  }
}
