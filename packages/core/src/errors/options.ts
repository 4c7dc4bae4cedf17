/** Response headers as name/value pairs, in order. */
export type HeaderList = ReadonlyArray<readonly [string, string]>;

/** @internal */
export const NO_HEADERS: HeaderList = Object.freeze([]);

/** What an `MdError` may carry besides its code and message. */
export interface MdErrorOptions {
  cause?: unknown;
  /** Structured facts about the failure (domain, host, path…); safe to log, never secrets. */
  details?: Record<string, unknown>;
  /** Headers the error's HTTP answer needs (`Retry-After` for `RATE_LIMITED`). */
  headers?: HeaderList;
}

/** @internal The message of whatever was thrown. */
export const messageOf = (cause: unknown): string => (cause as Error)?.message ?? String(cause);

/** How much of a request's path or host an error repeats: never the whole 8 KB a client sent. */
const ECHO_LIMIT = 100;

/** @internal `value`, cut to 100 characters. */
export const clip = (value: string): string =>
  value.length <= ECHO_LIMIT ? value : `${value.slice(0, ECHO_LIMIT)}…`;
