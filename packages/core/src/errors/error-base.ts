import { ERROR_STATUS, type MdErrorCode } from './codes.js';

/** Response headers as name/value pairs, in order. */
export type HeaderList = ReadonlyArray<readonly [string, string]>;

const NO_HEADERS: HeaderList = Object.freeze([]);

/** What an `MdError` may carry besides its code and message. */
export interface MdErrorOptions {
  cause?: unknown;
  /** Structured facts about the failure (domain, host, path…); safe to log, never secrets. */
  details?: Record<string, unknown>;
  /** Headers the error's HTTP answer needs (`Retry-After` for `RATE_LIMITED`). */
  headers?: HeaderList;
}

type ErrorClass<T> = new (code: MdErrorCode, message: string, options?: MdErrorOptions) => T;

/** @internal The cause's message, for messages that repeat it. */
export const messageOf = (cause: unknown): string => (cause as Error)?.message ?? String(cause);

/**
 * @internal The instance side of `MdError` — code, message, details, headers,
 * status, JSON body — shared by the layers of named constructors
 * (`MdError` extends the data-isolation constructors, which extend this), so
 * each layer stays one concern in one file. Only `MdError` is exported.
 */
export class MdErrorBase extends Error {
  override readonly name = 'MdError';
  readonly code: MdErrorCode;
  readonly details: Record<string, unknown>;
  readonly headers: HeaderList;

  constructor(code: MdErrorCode, message: string, options: MdErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    this.headers = options.headers ?? NO_HEADERS;
  }

  /** The HTTP status for this error, from the one status table. */
  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** The JSON body adapters send: `{ error: { code, message } }`. */
  toJSON(): { error: { code: MdErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }

  /** Builds an error of the class a named constructor is called on (`MdError.x(…)` builds an `MdError`). */
  protected static make<T>(
    this: ErrorClass<T>,
    code: MdErrorCode,
    message: string,
    details: Record<string, unknown>,
    cause?: unknown,
  ): T {
    return new this(code, message, { details, cause });
  }
}
