import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminApi } from '@md/admin';
import { availability, createSite, type DomainDefinition, MdError } from '@md/core';
import { databasePerDomain } from '@md/isolation-database';
import { rowLevel } from '@md/isolation-row';
import { schemaPerDomain } from '@md/isolation-schema';
import type { DomainSeeder, MikroOrmStrategy } from '@md/mikro-orm';
import { debugHeader, type MdLogger, observability } from '@md/observability';
import { hostResolver } from '@md/resolvers/host';
import { pathResolver } from '@md/resolvers/path';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sql';
import { createApp, logoSvg } from './app.js';
import { createEntities, type StorefrontEntities } from './entities.js';

/** The three domains the storefront ships with: two on their own hosts, one in path mode. */
export const DOMAINS: DomainDefinition[] = [
  {
    name: 'acme',
    hosts: ['acme.localhost'],
    branding: { name: 'Acme Outfitters', primaryColor: '#c0392b' },
    preferences: { locale: 'en-US', currency: 'USD' },
    features: ['reports'],
    attributes: { plan: 'pro' },
  },
  {
    name: 'globex',
    hosts: ['globex.localhost'],
    branding: { name: 'Globex Corporation', primaryColor: '#15803d' },
    preferences: { locale: 'de-DE', currency: 'EUR' },
    features: [],
  },
  {
    name: 'initech',
    branding: { name: 'Initech Supplies', primaryColor: '#1d4ed8' },
    preferences: { locale: 'fr-FR' },
    features: ['reports'],
  },
];

const PRODUCTS: Record<string, Array<[string, number]>> = {
  acme: [
    ['Anvil', 4999],
    ['Giant Magnet', 12900],
    ['Rocket Skates', 25000],
  ],
  globex: [
    ['Doomsday Device', 99999],
    ['Hammock', 3900],
  ],
  initech: [
    ['Red Stapler', 1550],
    ['TPS Cover Sheet', 99],
  ],
};

export type Isolation = 'database' | 'schema' | 'row';

export interface StorefrontOptions {
  isolation?: Isolation;
  /** PostgreSQL server URL; without it the storefront runs on SQLite files. */
  databaseUrl?: string;
  /** Folder for SQLite files and domain files (default `examples/storefront/data`). */
  dataDir?: string;
  /** bcrypt cost (default 10; tests use 4). */
  bcryptCost?: number;
  /** Admin API token (default: `MD_ADMIN_TOKEN`, else admin API off). */
  adminToken?: string;
  logger?: MdLogger;
}

const DEFAULT_DATA = fileURLToPath(new URL('../data', import.meta.url));

function strategyFor(
  isolation: Isolation,
  entities: StorefrontEntities,
  options: StorefrontOptions,
): MikroOrmStrategy {
  const common = {
    entities: Object.values(entities),
    seeder: (async (em, domain) => {
      for (const [name, priceCents] of PRODUCTS[domain.name] ?? []) {
        em.create(entities.Product, { id: crypto.randomUUID(), name, priceCents });
      }
      await em.flush();
    }) satisfies DomainSeeder,
  };
  if (isolation === 'database') {
    return options.databaseUrl === undefined
      ? databasePerDomain({
          ...common,
          driver: SqliteDriver,
          folder: join(options.dataDir ?? DEFAULT_DATA, 'db'),
        })
      : databasePerDomain({
          ...common,
          driver: PostgreSqlDriver,
          url: options.databaseUrl,
          // One database per domain, named after the URL's database: md_shop -> md_shop_acme.
          databaseName: (domain) => `${databaseOf(options.databaseUrl!)}_${domain.replace(/-/g, '_')}`,
        });
  }
  if (isolation === 'row') {
    return options.databaseUrl === undefined
      ? rowLevel({
          ...common,
          driver: SqliteDriver,
          dbName: join(options.dataDir ?? DEFAULT_DATA, 'db', 'row-level.sqlite'),
        })
      : rowLevel({ ...common, driver: PostgreSqlDriver, url: options.databaseUrl });
  }
  if (options.databaseUrl === undefined) {
    throw MdError.invalidOptions('MD_ISOLATION=schema needs PostgreSQL: set DATABASE_URL');
  }
  return schemaPerDomain({ ...common, driver: PostgreSqlDriver, url: options.databaseUrl });
}

function databaseOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  return name === '' ? 'md' : name;
}

/**
 * Builds the storefront: the site (host + path resolvers, three domains, the
 * chosen isolation strategy), provisions and seeds every domain, writes each
 * domain's logo into its own files, and returns the framework-neutral app.
 */
export async function createStorefront(options: StorefrontOptions = {}) {
  const isolation = options.isolation ?? 'database';
  const entities = createEntities();
  const dataDir = options.dataDir ?? DEFAULT_DATA;
  await mkdir(join(dataDir, 'db'), { recursive: true });
  const obs = observability(options.logger === undefined ? {} : { logger: options.logger });
  const admin =
    options.adminToken === undefined
      ? undefined
      : adminApi({ token: options.adminToken, metrics: obs.metrics });
  const site = await createSite({
    isolation: strategyFor(isolation, entities, options),
    resolvers: [hostResolver(), pathResolver({ patterns: ['/stores/:domain/*'] })],
    policies: [availability({ allow: ['/health'] }), debugHeader()],
    plugins: admin === undefined ? [obs] : [obs, admin],
    rootHosts: ['localhost', '127.0.0.1'],
    root: { preferences: { locale: 'en-GB', currency: 'GBP' }, branding: { name: 'md storefront' } },
    domains: DOMAINS,
    filesRoot: join(dataDir, 'files'),
  });
  for (const domain of site.domains) {
    if (domain.isRoot) continue;
    await site.provision(domain.name, { seed: true });
    await domain.files.write(
      'logo.svg',
      logoSvg(domain.branding.name?.[0] ?? '?', domain.branding.primaryColor ?? '#334155'),
    );
  }
  return { site, admin, app: createApp(site, obs, entities, options.bcryptCost), entities };
}

export type Storefront = Awaited<ReturnType<typeof createStorefront>>;
