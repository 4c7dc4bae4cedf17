// The statement batches of `pipelined-setting.ts`: which statements carry the setting, and
// pg's Query (or a Cursor) sending the prefix and the statement in one write.

/** What is sent before a statement: the domain's token and the search path, both transaction-local. */
export const PREFIX_SQL =
  "select set_config('md.domain', $1, true), set_config('search_path', 'public', true)";
/** The name the prefix is prepared under, once per connection. */
export const PREFIX_NAME = 'md_rls_setting';

export interface PgStream {
  write(chunk: Uint8Array): boolean;
}

export interface PgConnection {
  parse(message: { text: string; name?: string }): void;
  bind(message: { portal?: string; statement?: string; values: unknown[] }): void;
  execute(message: { portal?: string; rows?: number }): void;
  close(message: { type: 'S' | 'P'; name?: string }): void;
  readonly stream: PgStream;
}

export interface PgSubmittable {
  name?: string;
  text?: string;
  queryMode?: string;
  callback?: (err: Error | null, result?: unknown) => void;
  submit(connection: PgConnection): Error | null | undefined;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: unknown, connection: PgConnection): void;
  handleError(error: unknown, connection: PgConnection): void;
}

export type QueryClass = new (
  text: unknown,
  values?: unknown,
  callback?: (err: Error | null, result?: unknown) => void,
) => PgSubmittable;

export interface PgClient {
  query(...args: unknown[]): unknown;
  /** The status of the last ReadyForQuery: 'I' idle, 'T' in a transaction, 'E' in a failed one. */
  getTransactionStatus?(): string | null;
  readonly constructor: { readonly Query?: QueryClass };
}

export interface PgPool {
  on(event: 'acquire', listener: (client: PgClient) => void): unknown;
  on(event: 'release', listener: (err: unknown, client: PgClient) => void): unknown;
}

/** A statement after which the setting must be sent again: it ends, or rolls back part of, a transaction. */
const ENDS_TRANSACTION = /^\s*(?:commit|rollback|end|abort)\b/i;

/** What md knows of one patched client. */
export interface ClientState {
  readonly client: PgClient;
  /** The token of the current checkout ('' outside one: no domain, no row). */
  token: string;
  /** No statement of this checkout has been sent yet. */
  fresh: boolean;
  /** The next statement carries the setting whatever the status (first of a checkout, after a COMMIT/ROLLBACK). */
  again: boolean;
  /** This checkout found the connection in a transaction: every statement carries the setting. */
  always: boolean;
  /** The prefix is prepared on this connection (under {@link PREFIX_NAME}). */
  prepared: boolean;
  /** While a batch is written: its messages, sent in one write. */
  chunks: Uint8Array[] | undefined;
}

/**
 * Whether the statement about to be sent (its text, if known) carries the setting; updates
 * the state. `status` is read when the statement is sent: pg sends one only after the
 * previous one's ReadyForQuery.
 */
export function carriesSetting(
  state: ClientState,
  status: string | null | undefined,
  text: unknown,
): boolean {
  if (state.fresh) {
    // The first statement of a checkout: a connection left inside a transaction gets the setting on every statement.
    state.fresh = false;
    state.always = status !== 'I';
    state.again = true;
  }
  const again = state.again;
  state.again = typeof text === 'string' && ENDS_TRANSACTION.test(text);
  if (status === 'E') return false;
  return again || state.always || status === 'I';
}

/** Starts a batch: what pg writes is collected from now on, the prefix first (prepared once per connection). */
function startBatch(state: ClientState, connection: PgConnection): void {
  state.chunks = [];
  if (!state.prepared) {
    // A Close first: the statement may exist from before an error (closing none is no error).
    connection.close({ type: 'S', name: PREFIX_NAME });
    connection.parse({ text: PREFIX_SQL, name: PREFIX_NAME });
    state.prepared = true;
  }
  connection.bind({ statement: PREFIX_NAME, values: [state.token] });
  connection.execute({ rows: 0 });
}

/** Ends a batch: its messages leave in one write (a writev of its eight costs this process twice a write here). */
function endBatch(state: ClientState, connection: PgConnection): void {
  const chunks = state.chunks!;
  state.chunks = undefined;
  connection.stream.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
}

type SettingQueryClass = new (
  state: ClientState,
  config: unknown,
  values?: unknown,
  callback?: (err: Error | null, result?: unknown) => void,
) => PgSubmittable;
const settingQueries = new WeakMap<QueryClass, SettingQueryClass>();

/**
 * pg's Query sending `PREFIX_SQL` with the token first, in the same batch and the same
 * write, when {@link carriesSetting} says so — then in extended mode (one Sync for both);
 * otherwise sent as it would have been. The prefix's row and command tag are swallowed,
 * its error is the statement's (which the server then skips). One subclass per pg (its
 * methods stay monomorphic on the hot path, unlike closures per query).
 */
export function settingQueryClass(Query: QueryClass): SettingQueryClass {
  let SettingQuery = settingQueries.get(Query);
  if (SettingQuery !== undefined) return SettingQuery;
  SettingQuery = class extends (Query as unknown as new (...args: unknown[]) => PgSubmittable) {
    readonly mdState: ClientState;
    /** The prefix was sent and its answer has not come yet. */
    mdPrefixPending = false;
    constructor(
      state: ClientState,
      config: unknown,
      values?: unknown,
      callback?: (err: Error | null, result?: unknown) => void,
    ) {
      super(config, values, callback);
      this.mdState = state;
    }
    override submit(connection: PgConnection) {
      const state = this.mdState;
      if (!carriesSetting(state, state.client.getTransactionStatus?.(), this.text))
        return super.submit(connection);
      this.mdPrefixPending = true;
      this.queryMode = 'extended';
      try {
        startBatch(state, connection);
        return super.submit(connection);
      } finally {
        endBatch(state, connection);
      }
    }
    override handleDataRow(message: unknown) {
      if (!this.mdPrefixPending) super.handleDataRow(message);
    }
    override handleCommandComplete(message: unknown, connection: PgConnection) {
      if (this.mdPrefixPending) this.mdPrefixPending = false;
      else super.handleCommandComplete(message, connection);
    }
    override handleError(error: unknown, connection: PgConnection) {
      // The prefix failed (or never ran): parse it again next time rather than trust it exists.
      if (this.mdPrefixPending) this.mdState.prepared = false;
      super.handleError(error, connection);
    }
  };
  settingQueries.set(Query, SettingQuery);
  return SettingQuery;
}

/** The same for a submittable md did not make (pg's Cursor): its methods wrapped, once. */
export function prefixSubmittable<T extends PgSubmittable>(submittable: T, state: ClientState): T {
  const { submit, handleDataRow, handleCommandComplete, handleError } = submittable;
  let pending = false;
  submittable.submit = function submitWithSetting(this: T, connection: PgConnection) {
    if (!carriesSetting(state, state.client.getTransactionStatus?.(), this.text))
      return submit.call(this, connection);
    pending = true;
    try {
      startBatch(state, connection);
      return submit.call(this, connection);
    } finally {
      endBatch(state, connection);
    }
  };
  submittable.handleDataRow = function (this: T, message: unknown) {
    if (!pending) handleDataRow.call(this, message);
  };
  submittable.handleCommandComplete = function (this: T, message: unknown, connection: PgConnection) {
    if (pending) pending = false;
    else handleCommandComplete.call(this, message, connection);
  };
  submittable.handleError = function (this: T, error: unknown, connection: PgConnection) {
    if (pending) state.prepared = false;
    handleError.call(this, error, connection);
  };
  return submittable;
}

/** Collects what pg writes to the client's socket while a batch is built ({@link ClientState.chunks}). */
export function collectWrites(client: PgClient, state: ClientState): void {
  const stream = (client as unknown as { connection?: { stream?: PgStream } }).connection?.stream;
  if (stream === undefined || typeof stream.write !== 'function')
    throw new Error('md: pg client without connection.stream: row-level security cannot set md.domain');
  const write = stream.write;
  stream.write = function mdWrite(this: PgStream, chunk: Uint8Array, ...rest: unknown[]) {
    if (state.chunks === undefined)
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    state.chunks.push(chunk);
    return true;
  };
}
