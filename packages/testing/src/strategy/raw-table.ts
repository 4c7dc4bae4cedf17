import type { EntityManager } from '@mikro-orm/core';

/**
 * The table of `className` as raw SQL must name it from `em`: qualified
 * with the entity manager's schema when the entity lives in every domain's
 * schema (`schema: '*'`, schema-per-domain), bare otherwise.
 */
export function rawTable(em: EntityManager, className: string): string {
  const meta = em.getMetadata().getByClassName(className);
  const schema = meta.schema === '*' ? (em as unknown as { schema?: string }).schema : undefined;
  return schema !== undefined ? `"${schema}"."${meta.tableName}"` : `"${meta.tableName}"`;
}
