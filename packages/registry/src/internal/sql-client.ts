/** A row as the drivers return it. */
export type Row = Record<string, unknown>;

/** What the registry needs from a database: queries with `?` placeholders and transactions. */
export interface SqlClient {
  readonly dialect: 'sqlite' | 'postgres';
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs `fn` in one transaction; a throw rolls it back. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface SqlExecutor {
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** `?` placeholders to `$1, $2…` (the registry's SQL never has `?` inside literals). */
export function toPostgresPlaceholders(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}
