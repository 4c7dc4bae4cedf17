// biome-ignore-all lint/complexity/noThisInStatic: `this` is the class the constructor is called on (MdError), which is what it must build.
import { MdErrorBase, messageOf } from './error-base.js';

/**
 * @internal The named constructors of data isolation (strategies, provisioning,
 * migrations, the guards on every statement a domain's entity manager issues).
 * `MdError` extends this layer: call them as `MdError.tenantMismatch(…)`.
 */
export class IsolationErrors extends MdErrorBase {
  static isolationNotConfigured(what: string): MdErrorBase {
    const message = `${what} needs an isolation strategy, but the site has none. Pass createSite({ isolation: … }).`;
    return this.make('ISOLATION_NOT_CONFIGURED', message, { what });
  }

  static confirmationRequired(action: string, name: string): MdErrorBase {
    const message = `${action} of domain "${name}" destroys its data; confirm it by passing { confirm: "${name}" }.`;
    return this.make('CONFIRMATION_REQUIRED', message, { action, name });
  }

  static tenantMismatch(entity: string, expected: string, actual: unknown): MdErrorBase {
    return this.make(
      'TENANT_MISMATCH',
      `Refused to write ${entity} with tenant ${JSON.stringify(actual)} from domain "${expected}": a row's domain is set from the current domain on insert and can never be changed. Do not set tenantId by hand.`,
      { entity, expected, actual },
    );
  }

  static provisionFailed(
    domain: string,
    step: string,
    cause: unknown,
    undoErrors: string[] = [],
  ): MdErrorBase {
    const except = undoErrors.length > 0 ? ` (except: ${undoErrors.join('; ')})` : '';
    return this.make(
      'PROVISION_FAILED',
      `Provisioning domain "${domain}" failed at step "${step}": ${messageOf(cause)}. Everything done so far was rolled back${except}; fix the cause and provision again.`,
      { domain, step, undoErrors },
      cause,
    );
  }

  static migrationFailed(domain: string, cause: unknown): MdErrorBase {
    return this.make(
      'MIGRATION_FAILED',
      `Migrating domain "${domain}" failed: ${messageOf(cause)}. The failing migration was rolled back; fix it and run site.migrate("${domain}") again.`,
      { domain },
      cause,
    );
  }

  static connectionBudgetExhausted(budget: number, waitedMs: number): MdErrorBase {
    return this.make(
      'CONNECTION_BUDGET_EXHAUSTED',
      `All ${budget} domain connection pools are busy and none became idle within ${waitedMs} ms. Raise the strategy's budget, or shorten long transactions.`,
      { budget, waitedMs },
    );
  }

  /**
   * A unit of work reached for another domain's data through an entity
   * manager of `domain`: a schema, an entity loaded in another domain, a
   * relation to another domain's row, a key another domain owns.
   */
  static foreignData(domain: string, what: string): MdErrorBase {
    return this.make(
      'TENANT_MISMATCH',
      `Refused: ${what} belongs to another domain than "${domain}". A domain's entity manager reads and writes only its own domain's rows, in its own store or schema: load the data through that domain's own site.run, and never pass another domain's schema, entity or id.`,
      { domain, what },
    );
  }

  /** A shared entity reached through a domain's entity manager where shared entities live only in the root store. */
  static sharedEntityOutsideRoot(entity: string, domain: string, strategy: string): MdErrorBase {
    return this.make(
      'SHARED_ENTITY_OUTSIDE_ROOT',
      `${entity} is a shared entity: with ${strategy} it lives only in the root domain's store, and domain "${domain}"'s entity manager would read an empty copy. Use strategy.sharedEm() to read and write it.`,
      { entity, domain, strategy },
    );
  }

  /** A second unit of work asked for a connection its own outer transaction holds (SQLite has one per store). */
  static nestedTransaction(domain: string | undefined): MdErrorBase {
    const who = domain === undefined ? 'A unit of work' : `A unit of work of domain "${domain}"`;
    return this.make(
      'NESTED_TRANSACTION',
      `${who} started inside another unit of work's transaction on the same SQLite store, whose only connection that transaction holds: it would wait forever. Inside em.transactional(cb) use the entity manager cb receives, and run another domain's work (site.run) before or after the transaction.`,
      { domain },
    );
  }
}
