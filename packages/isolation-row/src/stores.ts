import {
  derivedPassword,
  type LoginRole,
  type OrmTemplate,
  type StoreOrm,
  sqliteDialect,
  urlConnection,
  withCredentials,
} from '@md/mikro-orm';
import { setDomainOnCheckout } from './checkout-setting.js';
import type { RowLevelOptions } from './options.js';
import type { DomainSigner } from './postgres-rls.js';

/** The request role: the one given, or `md_app` with a password derived from the admin URL's (stable across restarts). */
export function appRoleOf(options: RowLevelOptions): LoginRole {
  options.appRole ??= { name: 'md_app', password: derivedPassword(options.url!, 'row-level role md_app') };
  return options.appRole;
}

function sqliteStore(template: OrmTemplate, options: RowLevelOptions): StoreOrm {
  const dbName = options.dbName!;
  return template.open({ dbName, driverOptions: sqliteDialect(dbName, {}, options.sqlite) });
}

/** A one-connection store as the admin (install, migrations): the SQLite file itself on SQLite. */
export function openAdminStore(template: OrmTemplate, options: RowLevelOptions): StoreOrm {
  if (options.url === undefined) return sqliteStore(template, options);
  return template.open({ ...urlConnection(options.url), pool: { min: 0, max: 1 } });
}

/**
 * The request pool: on PostgreSQL as the request role, with the signed
 * domain set on every connection checkout (see `setDomainOnCheckout`) when
 * row-level security is on (`sign` given).
 */
export function openAppStore(
  template: OrmTemplate,
  options: RowLevelOptions,
  sign: DomainSigner | undefined,
): StoreOrm {
  if (options.url === undefined) return sqliteStore(template, options);
  const role = appRoleOf(options);
  return template.open({
    ...urlConnection(withCredentials(options.url, role.name, role.password)),
    pool: { min: 0, max: options.poolSize ?? 10 },
    ...(sign === undefined
      ? {}
      : { onReserveConnection: setDomainOnCheckout(sign) as (connection: unknown) => Promise<void> }),
  });
}
