import { MdError } from '@md/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { StrategyConformanceOptions } from '../strategy/describe-strategy-conformance.js';
import { attempt, createDataFixture, isRefusal, type Outcome, reveals, tableOf } from './data-fixture.js';
import { DATA_LIMITS, type DataLimit, limitApplies } from './limits.js';
import { POSTGRES_ATTACKS, RAW_SQL_ATTACKS } from './raw-sql.js';
import { READ_ATTACKS } from './reads.js';
import { RELATION_ATTACKS } from './relations.js';
import { ROW_SECURITY_ATTACKS } from './row-security.js';
import { SCOPE_ATTACKS } from './scopes.js';
import type { AttackContext, DataAttack } from './types.js';
import { WRITE_ATTACKS } from './writes.js';

/** Every hostile unit of work of the suite, in the order it runs them. */
export const DATA_ATTACKS: readonly DataAttack[] = [
  ...READ_ATTACKS,
  ...WRITE_ATTACKS,
  ...RELATION_ATTACKS,
  ...SCOPE_ATTACKS,
  ...RAW_SQL_ATTACKS,
  ...POSTGRES_ATTACKS,
  ...ROW_SECURITY_ATTACKS,
];

const ATTACKER = 'alpha';
const TARGET = 'beta';

/** What a documented limit looks like when it holds: the attack reached the victim. */
function limitHolds(limit: DataLimit, outcome: Outcome): boolean {
  if (limit === 'row-level-keys-are-global')
    return 'error' in outcome && /unique|duplicate/i.test(String((outcome.error as Error)?.message));
  return 'value' in outcome && reveals(outcome.value, TARGET);
}

/**
 * The hostile-units-of-work suite, run against every strategy × database:
 * a domain (`alpha`) runs each attack inside its own `site.run` against
 * another (`beta`) whose ids it knows — reads, writes, links, other schemas,
 * shared entities, the driver and query builder directly, raw SQL, and on
 * PostgreSQL the roles and the row-level security setting. Each attack is its
 * own test and must be refused (a typed `MdError`, or the database refusing)
 * or contained (whatever it returns holds nothing of `beta`); in both cases
 * `beta`'s rows and the root domain's are byte for byte what they were.
 * Where a documented limit applies (`DATA_LIMITS`), the test asserts the
 * limit instead — that the attack does reach `beta` — so the docs cannot
 * drift from the code.
 *
 * Await it at the top of the test file: the fixture is built while the
 * file's tests are collected, so that only the attacks that apply to the
 * strategy become tests.
 *
 * @example
 * await describeDataAttacks({
 *   name: 'row-level', database: 'sqlite',
 *   createStrategy: ({ all, shared, id }) => rowLevel({ driver: SqliteDriver, dbName: join(tmp, `${id}.sqlite`), entities: all, shared }),
 * });
 */
export async function describeDataAttacks(options: StrategyConformanceOptions): Promise<void> {
  // Built while the file's tests are collected: which attacks apply depends on the strategy itself.
  const fx = await createDataFixture(options, [ATTACKER, TARGET]);
  const context = (): AttackContext => {
    const em = fx.site.em;
    return {
      em,
      site: fx.site,
      strategy: fx.strategy,
      e: fx.entities,
      caps: fx.caps,
      database: fx.database,
      own: fx.rows[ATTACKER]!,
      victim: fx.rows[TARGET]!,
      attacker: ATTACKER,
      target: TARGET,
      victimSchema: fx.strategy.schemaOf?.(TARGET) ?? `md_${TARGET}`,
      raw: (sql, params = []) => em.getConnection().execute(sql, params) as Promise<unknown[]>,
      table: (className) => tableOf(em, className),
    };
  };
  const probe = fx.site.run(ATTACKER, context);
  const attacks = DATA_ATTACKS.filter((attack) => attack.applies?.(probe) ?? true);

  describe(`${options.name} on ${options.database}: ${attacks.length} hostile units of work`, () => {
    afterAll(async () => {
      await fx.close();
    });

    for (const attack of attacks) {
      const number = String(DATA_ATTACKS.indexOf(attack) + 1).padStart(3, '0');
      it(`${number} ${attack.name}`, async () => {
        const before = [await fx.fingerprint(TARGET), await fx.fingerprint(fx.site.rootDomain)];
        // The victim has just run statements that carry its rows' names.
        await fx.site.run(TARGET, () =>
          fx.site.em.fork().find(fx.entities.Item, { name: `${TARGET}-secret item 0` }),
        );
        const outcome = await attempt(() => fx.site.run(ATTACKER, () => attack.run(context())));
        const limit =
          attack.limit !== undefined && limitApplies(attack.limit, fx.caps, fx.database)
            ? attack.limit
            : undefined;
        if (limit !== undefined) {
          expect(
            limitHolds(limit, outcome),
            `the documented limit “${DATA_LIMITS[limit]}” no longer holds`,
          ).toBe(true);
        } else {
          const code = attack.refuses?.(probe);
          if (code !== undefined) {
            const error = 'error' in outcome ? outcome.error : undefined;
            expect(MdError.is(error) ? error.code : error, 'a typed refusal').toBe(code);
          }
          if ('error' in outcome) expect(isRefusal(outcome.error), String(outcome.error)).toBe(true);
          expect(reveals('error' in outcome ? outcome.error : outcome.value, TARGET)).toBe(false);
        }
        expect([await fx.fingerprint(TARGET), await fx.fingerprint(fx.site.rootDomain)]).toEqual(before);
      });
    }
  });
}
