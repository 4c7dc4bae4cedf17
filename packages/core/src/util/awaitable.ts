/** A value or a promise of it: what a plugin may answer when it can answer synchronously. */
export type Awaitable<T> = T | Promise<T>;
