/** How much of a request's path or host an error repeats: never the whole 8 KB a client sent. */
const ECHO_LIMIT = 100;

/** @internal `value`, cut to 100 characters. */
export const clip = (value: string): string =>
  value.length <= ECHO_LIMIT ? value : `${value.slice(0, ECHO_LIMIT)}…`;
