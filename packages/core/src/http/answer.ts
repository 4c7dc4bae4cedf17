import { type HeaderList, MdError } from '../errors/md-error.js';

/**
 * The one answer type of md: an error, the admin API, a health check. An
 * adapter writes it out as is: the status, the headers in order, and the
 * body (a string is sent as text, anything else as JSON).
 *
 * @example
 * const answer: HttpAnswer = { status: 200, headers: [['cache-control', 'no-store']], body: { ok: true } };
 */
export interface HttpAnswer {
  status: number;
  headers: HeaderList;
  body: unknown;
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string };
}

const INTERNAL: HttpAnswer & { body: ErrorBody } = Object.freeze({
  status: 500,
  headers: Object.freeze([]),
  body: Object.freeze({ error: Object.freeze({ code: 'INTERNAL_ERROR', message: 'Internal server error' }) }),
});

/**
 * The answer for any thrown value: an `MdError` answers with its status
 * (from the one status table), its headers (`Retry-After` for
 * `RATE_LIMITED`) and `{ error: { code, message } }`; anything else is a
 * `500 INTERNAL_ERROR` whose message reveals nothing.
 *
 * @example
 * const { status, headers, body } = toHttpAnswer(error);
 */
export function toHttpAnswer(error: unknown): HttpAnswer & { body: ErrorBody } {
  if (!MdError.is(error)) return INTERNAL;
  return { status: error.status, headers: error.headers, body: error.toJSON() };
}

/** The error code an answer built by {@link toHttpAnswer} carries. */
export function codeOf(error: unknown): string {
  return MdError.is(error) ? error.code : 'INTERNAL_ERROR';
}
