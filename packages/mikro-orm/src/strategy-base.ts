import {
  type DeprovisionOptions,
  type DomainHealth,
  type DomainProxy,
  type IsolationCapabilities,
  MdError,
  type MigrationReport,
  type ProvisionOptions,
  type SiteLike,
} from '@md/core';
import type { MetadataStorage, Options } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import {
  bindDomain,
  type DomainGuardRules,
  domainBinding,
  setGuardRules,
  withSharedPivots,
} from './domain-guard.js';
import { migrateStore, migrationConfig, pendingMigrationsOf, schemaDiff } from './migrations.js';
import { createOrmTemplate, type OrmTemplate } from './orm-template.js';
import type { ProvisionStep } from './provisioning.js';
import { classifyEntities } from './shared-entities.js';
import type { MikroOrmStrategy, MikroOrmStrategyOptions, StrategyStats } from './strategy.js';

/**
 * What the MikroORM isolation strategies have in common, written once: the
 * entity metadata discovered into one {@link OrmTemplate} at `init`, the
 * guards every domain's entity manager enforces (the strategy says which:
 * {@link guardRules}), provisioning of one domain serialised in process,
 * the "before init()" guards, `sharedEm`, `health`, `migrate`'s report,
 * `pendingMigrations` and `schemaDiff` over a short-lived migration store,
 * the seed step of provisioning, and `close`. A strategy keeps only what is
 * its own: where a domain's data lives (connection routing, schema choice,
 * tenant filter and policies), how a store is created and removed, and its
 * pool counts.
 *
 * @example
 * class OnePool extends MikroOrmStrategyBase<MyOptions> {
 *   readonly name = 'one-pool';
 *   readonly capabilities = { rootData: true };
 *   constructor(options: MyOptions) { super(options, 'onePool'); }
 *   protected async start(): Promise<void> { this.#store = this.template().open({ dbName: this.options.dbName }); }
 *   // em, isProvisioned, provisionDomain, deprovisionDomain, guardRules, stats, withMigrationStore, closeConnections…
 * }
 */
export abstract class MikroOrmStrategyBase<TOptions extends MikroOrmStrategyOptions = MikroOrmStrategyOptions>
  implements MikroOrmStrategy
{
  abstract readonly name: string;
  abstract readonly capabilities: IsolationCapabilities;
  protected readonly options: TOptions;
  /** The strategy's factory name, used in "before init()" errors (e.g. `'rowLevel'`). */
  readonly #label: string;
  #site: SiteLike | undefined;
  #template: OrmTemplate | undefined;
  /** The tail of each domain's queue of provisionings and deprovisionings. */
  readonly #queues = new Map<string, Promise<unknown>>();

  protected constructor(options: TOptions, label: string) {
    this.options = options;
    this.#label = label;
  }

  /** Discovers the entities once (sharing the metadata across every store), then {@link start}s. */
  async init(site: SiteLike): Promise<void> {
    this.#site = site;
    this.#template = createOrmTemplate({
      driver: this.options.driver,
      entities: this.options.entities,
      orm: { ...this.options.orm, ...migrationConfig(this.options), ...this.templateOptions() },
    });
    const metadata = this.#template.orm.getMetadata();
    const { shared } = classifyEntities(this.options.entities, this.options.shared);
    setGuardRules(metadata, this.guardRules(withSharedPivots(shared, metadata), metadata));
    await this.start(site);
  }

  abstract em(domain: DomainProxy): SqlEntityManager;
  abstract isProvisioned(domain: string): Promise<boolean>;
  abstract stats(): StrategyStats;

  /**
   * Creates the domain's store (idempotent). Provisionings and
   * deprovisionings of one domain run one after the other in this process
   * (a strategy adds a database lock for other processes), so the one that
   * finds the store already created never undoes it.
   */
  provision(domain: DomainProxy, options: ProvisionOptions = {}): Promise<void> {
    return this.#serialized(domain.name, () => this.provisionDomain(domain, options));
  }

  deprovision(domain: DomainProxy, options: DeprovisionOptions): Promise<void> {
    return this.#serialized(domain.name, () => this.deprovisionDomain(domain, options));
  }

  /** Provisioning proper: runs after every earlier provisioning of the domain has finished. */
  protected abstract provisionDomain(domain: DomainProxy, options: ProvisionOptions): Promise<void>;

  /** Deprovisioning proper, in the same queue as provisioning. */
  protected abstract deprovisionDomain(domain: DomainProxy, options: DeprovisionOptions): Promise<void>;

  /**
   * What the guards enforce on every statement of a domain's entity
   * manager, given the shared entities' class names and the discovered
   * metadata (pivot entities included).
   */
  protected abstract guardRules(shared: ReadonlySet<string>, metadata: MetadataStorage): DomainGuardRules;

  /**
   * An entity manager on the root domain's store for shared entities only:
   * a domain-scoped entity through it is refused, so no domain reaches the
   * root domain's own rows this way.
   */
  sharedEm(): SqlEntityManager {
    const em = this.em(this.site().domains.root);
    bindDomain(em, { ...domainBinding(em)!, sharedOnly: true });
    return em;
  }

  async migrate(domain: DomainProxy): Promise<MigrationReport> {
    const started = performance.now();
    const applied = await this.applyMigrations(domain.name);
    return { domain: domain.name, applied, upToDate: applied.length === 0, ms: performance.now() - started };
  }

  async pendingMigrations(name: string): Promise<string[]> {
    if (!(await this.storeExists(name))) return (this.options.migrations ?? []).map((m) => m.name);
    return this.withMigrationStore(name, (em) =>
      pendingMigrationsOf(em, this.options, this.migrationSchema(name)),
    );
  }

  async schemaDiff(name: string): Promise<string> {
    return this.withMigrationStore(name, (em) => schemaDiff(em, this.migrationSchema(name)));
  }

  async health(domain: DomainProxy): Promise<DomainHealth> {
    const started = performance.now();
    try {
      await this.em(domain).getConnection().execute('select 1');
      return { ok: true, ms: performance.now() - started };
    } catch (error) {
      return { ok: false, ms: performance.now() - started, error: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    await this.closeConnections();
    await this.#template?.close();
  }

  /** Opens the strategy's connections once the template exists (and creates the root domain's store). */
  protected abstract start(site: SiteLike): Promise<void>;

  /** Closes the strategy's connections; the template is closed after. */
  protected abstract closeConnections(): Promise<void>;

  /**
   * Runs `fn` on a short-lived entity manager on the domain's store (outside
   * the request pool), where migrations, pending-migration reads and drift
   * checks run; the store is closed after.
   */
  protected abstract withMigrationStore<T>(
    name: string,
    fn: (em: SqlEntityManager) => Promise<T>,
  ): Promise<T>;

  /** MikroORM options of the strategy itself, applied over the user's `orm` and the migration options. */
  protected templateOptions(): Partial<Options> {
    return {};
  }

  /** The schema a domain's tables live in, when the strategy isolates by schema. */
  protected migrationSchema(_name: string): string | undefined {
    return undefined;
  }

  /** Whether the domain's store exists to read from; when it does not, every migration is pending. */
  protected async storeExists(name: string): Promise<boolean> {
    return this.isProvisioned(name);
  }

  /** Brings the domain's store up to date; what `migrate` reports. */
  protected async applyMigrations(name: string): Promise<string[]> {
    return this.withMigrationStore(name, (em) =>
      migrateStore(em, name, this.options, this.migrationSchema(name)),
    );
  }

  /**
   * Creates the root domain's store on first start; later migrations are
   * `site.migrate`'s job, so a broken deployment cannot keep the site from
   * starting and `md migrate` reports them.
   */
  protected async provisionRoot(site: SiteLike): Promise<void> {
    if (!(await this.isProvisioned(site.rootDomain))) await this.provision(site.domains.root);
  }

  /**
   * The `seed` step of provisioning, when `{ seed: true }` and a seeder is
   * configured: seeds inside `site.run(domain)` and one transaction, only a
   * store that this provisioning created (`isNew()`).
   */
  protected seedSteps(
    domain: DomainProxy,
    options: ProvisionOptions,
    isNew: () => boolean,
    em: () => SqlEntityManager,
  ): ProvisionStep[] {
    const seeder = this.options.seeder;
    if (options.seed !== true || seeder === undefined) return [];
    return [
      {
        name: 'seed',
        run: async () => {
          if (!isNew()) return;
          await this.site().run(domain.name, () =>
            em().transactional((trx) => seeder(trx as SqlEntityManager, domain)),
          );
        },
      },
    ];
  }

  #serialized(name: string, fn: () => Promise<void>): Promise<void> {
    const run = (this.#queues.get(name) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => {});
    this.#queues.set(name, tail);
    void tail.then(() => {
      if (this.#queues.get(name) === tail) this.#queues.delete(name);
    });
    return run;
  }

  /** The site given to `init`, when there is one yet. */
  protected get initializedSite(): SiteLike | undefined {
    return this.#site;
  }

  protected site(): SiteLike {
    return this.initialized(this.#site);
  }

  protected template(): OrmTemplate {
    return this.initialized(this.#template);
  }

  /** `value`, or `ISOLATION_NOT_CONFIGURED` when `init` has not created it yet. */
  protected initialized<T>(value: T | undefined): T {
    if (value === undefined) throw MdError.isolationNotConfigured(`${this.#label} before init()`);
    return value;
  }
}
