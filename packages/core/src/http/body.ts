import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import { MdError } from '../errors/md-error.js';

/** The largest JSON body {@link readJsonBody} reads by default: 1 MiB. */
export const DEFAULT_JSON_LIMIT = 1024 * 1024;

/** How long {@link readRequestBody} waits for a whole body by default: 10 s. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/**
 * Reads a request body as UTF-8 text (with `raw-body`), refusing more than
 * `maxBytes` with `413 PAYLOAD_TOO_LARGE` as soon as the limit is passed (or
 * at once, when `Content-Length` already says so), and a body that has not
 * arrived within `timeoutMs` (10 s by default: a client that announces a
 * body and never sends it) with `408 REQUEST_TIMEOUT`, whose answer closes
 * the connection. A body that cannot be read is a `400 INVALID_REQUEST`.
 *
 * @example
 * const form = new URLSearchParams(await readRequestBody(req, 64 * 1024, 5_000));
 */
export async function readRequestBody(
  req: IncomingMessage,
  maxBytes: number,
  timeoutMs = DEFAULT_BODY_TIMEOUT_MS,
): Promise<string> {
  const length = req.headers?.['content-length'];
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      // Stop reading: raw-body's listeners go with the stream, the answer closes the connection.
      req.unpipe?.();
      req.pause?.();
      reject(MdError.requestTimeout(timeoutMs));
    }, timeoutMs);
  });
  try {
    const body = getRawBody(req, {
      limit: maxBytes,
      encoding: 'utf-8',
      ...(length === undefined ? {} : { length }),
    });
    return await Promise.race([body, timedOut]);
  } catch (error) {
    if (MdError.is(error)) throw error;
    if ((error as { type?: string }).type === 'entity.too.large') throw MdError.payloadTooLarge(maxBytes);
    throw MdError.invalidRequest(`the request body could not be read (${(error as Error).message})`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads a JSON request body (at most `maxBytes`, 1 MiB by default, within
 * `timeoutMs`, 10 s by default); a body the framework already parsed
 * (`req.body`) is used as is, an empty one is `undefined`, and one that is
 * not JSON is a `400 INVALID_REQUEST`.
 *
 * @example
 * const input = await readJsonBody(req); // { name: 'acme' }
 */
export async function readJsonBody(
  req: IncomingMessage,
  maxBytes = DEFAULT_JSON_LIMIT,
  timeoutMs = DEFAULT_BODY_TIMEOUT_MS,
): Promise<unknown> {
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (parsed !== undefined) return parsed;
  const text = (await readRequestBody(req, maxBytes, timeoutMs)).trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw MdError.invalidRequest('the request body is not valid JSON');
  }
}
