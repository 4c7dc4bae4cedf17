// The fleet benchmark's Postgres site: one schema per domain, FLEET_DOMAINS
// domains; FLEET_STAGE=2 adds the one-column migration.
import { createSite } from '@md/core';
import { schemaPerDomain } from '@md/isolation-schema';
import { EntitySchema } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';

class CreateNote extends Migration {
  override up(): void {
    this.addSql('create table "note" ("id" serial primary key, "body" text not null)');
  }
}

class AddTag extends Migration {
  override up(): void {
    this.addSql(`alter table "note" add column "tag" text not null default ''`);
  }
}

const stage = Number(process.env.FLEET_STAGE ?? 1);
const Note = new EntitySchema({
  name: 'Note',
  tableName: 'note',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    body: { type: 'text' },
    ...(stage >= 2 ? { tag: { type: 'text', defaultRaw: "''" } } : {}),
  },
});

const count = Number(process.env.FLEET_DOMAINS ?? 1000);

export default () =>
  createSite({
    domains: Array.from({ length: count }, (_, i) => ({ name: `d-${String(i).padStart(4, '0')}` })),
    isolation: schemaPerDomain({
      driver: PostgreSqlDriver,
      url: process.env.FLEET_PG_URL!,
      entities: [Note],
      migrations: [
        { name: 'm1-create-note', class: CreateNote },
        { name: 'm2-add-tag', class: AddTag },
      ].slice(0, stage),
      poolSize: 10,
    }),
  });
