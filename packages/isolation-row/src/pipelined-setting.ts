// The signed `md.domain` setting sent with every statement, in the same extended-protocol
// batch (one Sync), instead of a round trip of its own per connection checkout.
//
// PostgreSQL runs every message up to a Sync as one implicit transaction, and after an
// error skips every message until that Sync. So `Parse/Bind/Execute set_config(…, true)`
// followed by the statement's own `Parse/Bind/Describe/Execute` and one `Sync` means: the
// setting (transaction-local) lasts no longer than the statement — or, when the statement
// is `BEGIN`, than the transaction it opens — and when `set_config` fails the statement
// never runs. Every statement gets its own `set_config`, inside a transaction too, so
// nothing an earlier statement did (a forged `SET`, a `ROLLBACK TO SAVEPOINT` restoring an
// older value) reaches the next one.
//
// Relies on node-postgres 8 (`pg`): `client.query(submittable)` handing the object the
// connection (`parse`, `bind`, `execute`, `stream.cork/uncork`) and dispatching the
// backend's answers to its `handleDataRow` / `handleCommandComplete`; `Client.Query` being
// pg's Query class (with `queryMode: 'extended'`); pg-pool's `acquire` and `release`
// events. `test/pipelined-setting.test.ts` checks each against the installed pg and server.

/** What is sent before every statement: the domain's token and the search path, both transaction-local. */
export const PREFIX_SQL =
  "select set_config('md.domain', $1, true), set_config('search_path', 'public', true)";
/** What a statement that cannot be batched (several statements in one string) gets first, in a round trip of its own. */
export const SESSION_SQL =
  "select set_config('md.domain', $1, false), set_config('search_path', 'public', false)";
/**
 * The statement md's checkout hook runs through Kysely: caught by the patched client (no
 * round trip), it names the token of this checkout. On a client md did not patch it would
 * reach the server and fail (no such function): the checkout fails, closed.
 */
export const CHECKOUT_SQL = 'select md_rls_checkout_on_unpatched_client($1)';

interface PgConnection {
  parse(message: { text: string; name?: string }): void;
  bind(message: { portal?: string; statement?: string; values: unknown[] }): void;
  execute(message: { portal?: string; rows?: number }): void;
  readonly stream: { cork?(): void; uncork?(): void };
}

interface PgSubmittable {
  name?: string;
  queryMode?: string;
  callback?: (err: Error | null, result?: unknown) => void;
  submit(connection: PgConnection): Error | null | undefined;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: unknown, connection: PgConnection): void;
}

type QueryClass = new (
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

/**
 * Statements the server refuses after another one in the same batch ("cannot be executed
 * within a pipeline": VACUUM, DISCARD ALL, CREATE DATABASE, … CONCURRENTLY): sent after a
 * round trip of their own. Missing one here only makes that statement fail, never unscoped.
 */
const OWN_BATCH =
  /^\s*(?:--|\/\*|vacuum|cluster|reindex|discard|alter\s+system|(?:create|drop|alter)\s+(?:database|tablespace|subscription)|(?:commit|rollback)\s+prepared)|\bconcurrently\b/i;

/** The token of each patched client's current checkout ('' outside one: no domain, no row). */
const tokens = new WeakMap<PgClient, string>();

const isSubmittable = (value: unknown): value is PgSubmittable =>
  typeof value === 'object' && value !== null && typeof (value as PgSubmittable).submit === 'function';

/**
 * Makes `submittable` send `PREFIX_SQL` with `token` first, in the same batch: the
 * prefix's row and command tag are swallowed, its error is the statement's (which the
 * server then skips).
 */
export function prefixWithSetting<T extends PgSubmittable>(
  submittable: T,
  token: string,
  failedTransaction: () => boolean = () => false,
): T {
  const { submit, handleDataRow, handleCommandComplete } = submittable;
  let prefixDone = false;
  submittable.submit = function submitWithSetting(this: T, connection: PgConnection) {
    // In a failed transaction the server refuses every statement but ROLLBACK (TO SAVEPOINT) and
    // COMMIT, which read nothing: a prefix would be refused too, and make the ROLLBACK skipped.
    if (failedTransaction()) {
      prefixDone = true;
      return submit.call(this, connection);
    }
    connection.stream.cork?.();
    try {
      connection.parse({ text: PREFIX_SQL });
      connection.bind({ values: [token] });
      connection.execute({ rows: 0 });
      return submit.call(this, connection);
    } finally {
      connection.stream.uncork?.();
    }
  };
  submittable.handleDataRow = function (this: T, message: unknown) {
    if (prefixDone) handleDataRow.call(this, message);
  };
  submittable.handleCommandComplete = function (this: T, message: unknown, connection: PgConnection) {
    if (prefixDone) handleCommandComplete.call(this, message, connection);
    else prefixDone = true;
  };
  return submittable;
}

/**
 * Replaces `client.query` (once) so that every statement carries the token of the
 * client's current checkout (set through {@link CHECKOUT_SQL}). Strings and query
 * configs become pg Queries in extended mode with the prefix; other submittables (pg's
 * Cursor) get the prefix as they are; a parameterless string holding `;` (maybe several
 * statements, which the extended protocol refuses) and named statements get the setting
 * session-wide in a round trip of their own, awaited before the statement is sent, and
 * so do statements PostgreSQL runs only alone in their batch (`OWN_BATCH`). In a failed
 * transaction no setting is sent.
 */
export function patchClient(client: PgClient): void {
  if (tokens.has(client)) return;
  tokens.set(client, '');
  const Query = client.constructor.Query;
  if (Query === undefined)
    throw new Error('md: pg client without Client.Query: row-level security cannot set md.domain');
  if (typeof client.getTransactionStatus !== 'function')
    throw new Error('md: pg client without getTransactionStatus() for row-level security');
  // Read when the statement is sent (pg sends one after the previous one's ReadyForQuery).
  const failed = () => client.getTransactionStatus?.() === 'E';
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const separately = async (args: unknown[]) => {
    await query(SESSION_SQL, [tokens.get(client) ?? '']);
    return query(...args);
  };
  client.query = function mdQuery(config: unknown, values?: unknown, callback?: unknown): unknown {
    if (config === CHECKOUT_SQL) {
      tokens.set(client, String((values as unknown[])[0]));
      return Promise.resolve({ command: 'SELECT', rowCount: 0, rows: [], fields: [] });
    }
    const token = tokens.get(client) ?? '';
    if (isSubmittable(config)) {
      // Submittables keep their own callback or events; named ones could be marked parsed by the prefix's answer.
      if (config.name)
        throw new Error('md: named prepared statements are not supported with row-level security');
      if (config instanceof Query) config.queryMode = 'extended';
      return query(prefixWithSetting(config, token, failed), values, callback);
    }
    if (typeof values === 'function' || typeof callback === 'function') {
      // Callback style: a failure of the setting's round trip is the statement's (which is then never sent).
      const done = (typeof values === 'function' ? values : callback) as (err: unknown) => void;
      separately([config, values, callback]).catch(done);
      return undefined;
    }
    const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
    const params = typeof config === 'string' ? values : ((config as { values?: unknown }).values ?? values);
    const named =
      typeof config === 'object' && config !== null && Boolean((config as { name?: unknown }).name);
    const parameterless = !Array.isArray(params) || params.length === 0;
    if (typeof text !== 'string' || named || (parameterless && text.includes(';')) || OWN_BATCH.test(text))
      return separately([config, values]);
    return new Promise((resolve, reject) => {
      const q = new Query(config, values, (err, result) => (err ? reject(err) : resolve(result)));
      q.queryMode = 'extended';
      query(prefixWithSetting(q, token, failed));
    });
  };
}

/** Patches every client of `pool` on checkout (clients connected before included) and forgets the token on release. */
export function patchPool(pool: PgPool): void {
  pool.on('acquire', patchClient);
  pool.on('release', (_err, client) => {
    if (tokens.has(client)) tokens.set(client, '');
  });
}
