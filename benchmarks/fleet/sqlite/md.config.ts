// The fleet benchmark's SQLite site: database per domain, FLEET_DOMAINS domains, one migration.
import { createSite } from '@md/core';
import { databasePerDomain } from '@md/isolation-database';
import { EntitySchema } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { SqliteDriver } from '@mikro-orm/sql';

class CreateNote extends Migration {
  override up(): void {
    this.addSql(
      'create table `note` (`id` integer not null primary key autoincrement, `body` text not null)',
    );
  }
}

const Note = new EntitySchema({
  name: 'Note',
  tableName: 'note',
  properties: { id: { type: 'integer', primary: true, autoincrement: true }, body: { type: 'text' } },
});

const count = Number(process.env.FLEET_DOMAINS ?? 1000);

export default () =>
  createSite({
    domains: Array.from({ length: count }, (_, i) => ({ name: `d-${String(i).padStart(4, '0')}` })),
    isolation: databasePerDomain({
      driver: SqliteDriver,
      folder: process.env.FLEET_DIR!,
      entities: [Note],
      migrations: [{ name: 'm1-create-note', class: CreateNote }],
      budget: 32,
    }),
  });
