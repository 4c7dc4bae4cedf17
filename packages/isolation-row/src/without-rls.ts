import { MdError } from '@md/core';
import { ensureLoginRole, hideActivity } from '@md/mikro-orm';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { grantRequestRole, PRIVATE, type RowSecurityPlan } from './postgres-rls.js';
/**
 * `rowLevel({ rls: false })` on PostgreSQL: the tables on a fresh database,
 * the request role and its grants, no key, no policies. Refused on a
 * database where md installed row-level security: a configuration flag
 * never takes the second wall away from existing data (drop it by hand).
 */
export async function installWithoutRowSecurity(
  admin: SqlEntityManager,
  plan: RowSecurityPlan,
  fresh: boolean,
  createTables: () => Promise<void>,
): Promise<void> {
  const [row] = (await admin
    .getConnection()
    .execute(`select to_regclass('${PRIVATE}.install') is not null as installed`)) as Array<{
    installed: boolean;
  }>;
  if (row?.installed === true)
    throw MdError.invalidOptions(
      'rowLevel({ rls: false }): md installed row-level security on this database; start with rls: true, or drop its policies by hand first',
    );
  if (fresh) await createTables();
  await ensureLoginRole(admin, plan.role);
  await hideActivity(admin, plan.role, plan.events);
  await grantRequestRole(admin, plan);
}
