import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import { MdError } from '../errors/md-error.js';

/** The largest JSON body {@link readJsonBody} reads by default: 1 MiB. */
export const DEFAULT_JSON_LIMIT = 1024 * 1024;

/**
 * Reads a request body as UTF-8 text (with `raw-body`), refusing more than
 * `maxBytes` with `413 PAYLOAD_TOO_LARGE` as soon as the limit is passed (or
 * at once, when `Content-Length` already says so). A body that cannot be read
 * is a `400 INVALID_REQUEST`.
 *
 * @example
 * const form = new URLSearchParams(await readRequestBody(req, 64 * 1024));
 */
export async function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const length = req.headers?.['content-length'];
  try {
    return await getRawBody(req, {
      limit: maxBytes,
      encoding: 'utf-8',
      ...(length === undefined ? {} : { length }),
    });
  } catch (error) {
    if ((error as { type?: string }).type === 'entity.too.large') throw MdError.payloadTooLarge(maxBytes);
    throw MdError.invalidRequest(`the request body could not be read (${(error as Error).message})`);
  }
}

/**
 * Reads a JSON request body (at most `maxBytes`, 1 MiB by default); a body
 * the framework already parsed (`req.body`) is used as is, an empty one is
 * `undefined`, and one that is not JSON is a `400 INVALID_REQUEST`.
 *
 * @example
 * const input = await readJsonBody(req); // { name: 'acme' }
 */
export async function readJsonBody(req: IncomingMessage, maxBytes = DEFAULT_JSON_LIMIT): Promise<unknown> {
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (parsed !== undefined) return parsed;
  const text = (await readRequestBody(req, maxBytes)).trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw MdError.invalidRequest('the request body is not valid JSON');
  }
}
