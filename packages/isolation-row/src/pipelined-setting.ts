// The signed `md.domain` setting sent in the same write as the statement it scopes, in
// one extended-protocol batch (one Sync), instead of a round trip of its own per checkout.
//
// PostgreSQL runs every message up to a Sync as one implicit transaction, and after an
// error skips every message until that Sync. So `Parse/Bind/Execute set_config(…, true)`
// followed by the statement's own `Parse/Bind/Describe/Execute` and one `Sync` means: the
// setting (transaction-local) lasts no longer than the statement — or, when the statement
// is `BEGIN`, than the transaction it opens — and when `set_config` fails the statement
// never runs. The prefix is a statement prepared once per connection (parsed again after
// an error of its own or a DEALLOCATE/DISCARD), and the whole batch leaves in one write.
//
// Which statements carry it (decided when the statement is sent, from the status of the
// connection's last ReadyForQuery): the first of every checkout, every one outside a
// transaction ('I': the last one's setting ended with it), the one after any COMMIT,
// ROLLBACK, END or ABORT (`… AND CHAIN` opens a transaction without it; `ROLLBACK TO
// SAVEPOINT` may restore an older value), and every one of a checkout that found its
// connection inside a transaction (a transaction left open by an earlier checkout: its
// savepoints may hold another domain's value). Inside a transaction this checkout's
// prefixed statement opened, the others run as they are: the setting is this checkout's
// until the transaction ends. In a failed transaction ('E') nothing is sent (the server
// refuses every statement but ROLLBACK and COMMIT, which read nothing).
//
// Relies on node-postgres 8 (`pg`): `client.query(submittable)` handing the object the
// connection (`parse`, `bind`, `execute`, its `stream`) and dispatching the backend's
// answers to its `handleDataRow` / `handleCommandComplete`; `Client.Query` being pg's
// Query class (with `queryMode: 'extended'`); `client.getTransactionStatus()`; pg-pool's
// `acquire` and `release` events. `test/pipelined-setting.test.ts` checks each against
// the installed pg and server.

import {
  type ClientState,
  carriesSetting,
  collectWrites,
  type PgClient,
  type PgPool,
  type PgSubmittable,
  prefixSubmittable,
  settingQueryClass,
} from './setting-query.js';

export type { PgClient, PgPool } from './setting-query.js';
export { PREFIX_NAME, PREFIX_SQL } from './setting-query.js';

/** Statements that drop prepared statements: the prefix is prepared again after them. */
const DROPS_PREPARED = /^\s*(?:deallocate|discard)\b/i;
/** What a statement that cannot be batched (several statements in one string) gets first, in a round trip of its own. */
export const SESSION_SQL =
  "select set_config('md.domain', $1, false), set_config('search_path', 'public', false)";
/**
 * The statement md's checkout hook runs through Kysely: caught by the patched client (no
 * round trip), it names the token of this checkout. On a client md did not patch it would
 * reach the server and fail (no such function): the checkout fails, closed.
 */
export const CHECKOUT_SQL = 'select md_rls_checkout_on_unpatched_client($1)';

/**
 * Statements the server refuses after another one in the same batch ("cannot be executed
 * within a pipeline": VACUUM, DISCARD ALL, CREATE DATABASE, … CONCURRENTLY): sent after a
 * round trip of their own. Missing one here only makes that statement fail, never unscoped.
 */
const OWN_BATCH =
  /^\s*(?:--|\/\*|vacuum|cluster|reindex|discard|alter\s+system|(?:create|drop|alter)\s+(?:database|tablespace|subscription)|(?:commit|rollback)\s+prepared)|\bconcurrently\b/i;

const states = new WeakMap<PgClient, ClientState>();

const isSubmittable = (value: unknown): value is PgSubmittable =>
  typeof value === 'object' && value !== null && typeof (value as PgSubmittable).submit === 'function';

/**
 * Replaces `client.query` (once) so that statements carry the token of the client's
 * current checkout (set through {@link CHECKOUT_SQL}) as {@link carriesSetting} decides.
 * Strings and query configs become pg Queries with the prefix; other submittables (pg's
 * Cursor) get the prefix as they are; a parameterless string holding `;` (maybe several
 * statements, which the extended protocol refuses) and named statements get the setting
 * session-wide in a round trip of their own, awaited before the statement is sent, and
 * so do statements PostgreSQL runs only alone in their batch (`OWN_BATCH`).
 */
export function patchClient(client: PgClient): void {
  if (states.has(client)) return;
  const Query = client.constructor.Query;
  if (Query === undefined)
    throw new Error('md: pg client without Client.Query: row-level security cannot set md.domain');
  if (typeof client.getTransactionStatus !== 'function')
    throw new Error('md: pg client without getTransactionStatus() for row-level security');
  const state: ClientState = {
    client,
    token: '',
    fresh: true,
    again: true,
    always: false,
    prepared: false,
    chunks: undefined,
  };
  collectWrites(client, state);
  states.set(client, state);
  const SettingQuery = settingQueryClass(Query);
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const separately = async (args: unknown[]) => {
    await query(SESSION_SQL, [state.token]);
    // Session-wide and awaited: the statement needs no prefix; what it does to the state still counts.
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: unknown } | null)?.text;
    carriesSetting(state, client.getTransactionStatus?.(), text);
    return query(...args);
  };
  client.query = function mdQuery(config: unknown, values?: unknown, callback?: unknown): unknown {
    if (config === CHECKOUT_SQL) {
      state.token = String((values as unknown[])[0]);
      state.fresh = true;
      return Promise.resolve({ command: 'SELECT', rowCount: 0, rows: [], fields: [] });
    }
    if (isSubmittable(config)) {
      // Submittables keep their own callback or events; named ones could be marked parsed by the prefix's answer.
      if (config.name)
        throw new Error('md: named prepared statements are not supported with row-level security');
      return query(prefixSubmittable(config, state), values, callback);
    }
    if (typeof values === 'function' || typeof callback === 'function') {
      // Callback style: a failure of the setting's round trip is the statement's (which is then never sent).
      const done = (typeof values === 'function' ? values : callback) as (err: unknown) => void;
      separately([config, values, callback]).catch(done);
      return undefined;
    }
    const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
    // Alone (it would drop the prefix batched with it), and the prefix prepared again after it.
    if (typeof text === 'string' && DROPS_PREPARED.test(text))
      return separately([config, values]).finally(() => {
        state.prepared = false;
      });
    const params = typeof config === 'string' ? values : ((config as { values?: unknown }).values ?? values);
    const named =
      typeof config === 'object' && config !== null && Boolean((config as { name?: unknown }).name);
    const parameterless = !Array.isArray(params) || params.length === 0;
    if (typeof text !== 'string' || named || (parameterless && text.includes(';')) || OWN_BATCH.test(text))
      return separately([config, values]);
    return new Promise((resolve, reject) => {
      query(new SettingQuery(state, config, values, (err, result) => (err ? reject(err) : resolve(result))));
    });
  };
}

/** Patches every client of `pool` on checkout (clients connected before included) and forgets the token on release. */
export function patchPool(pool: PgPool): void {
  pool.on('acquire', patchClient);
  pool.on('release', (_err, client) => {
    const state = states.get(client);
    if (state === undefined) return;
    // A statement on this client outside md's checkouts (the pool's own query) gets no domain, first thing.
    state.token = '';
    state.fresh = true;
  });
}
