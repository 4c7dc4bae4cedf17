import { afterAll, describe, it } from 'vitest';
import { createDataFixture } from '../attack/data-fixture.js';
import type { StrategyConformanceOptions } from './describe-strategy-conformance.js';
import { lifecycleRegressions } from './regressions/lifecycle.js';
import { UNIT_OF_WORK_REGRESSIONS } from './regressions/units-of-work.js';

/**
 * The regression tests of the isolation holes found by attacking md
 * (issue 13), one test per behaviour, each registered only on the
 * strategies × databases it applies to: nested runs inside a transaction,
 * writes by identity, schema overrides, links into another domain, query
 * builder inserts, upserts on another domain's key, `Collection.matching()`,
 * scoped pivot tables, shared entities through `site.em`, concurrent
 * provisioning (one process and two app instances), a deleted SQLite file,
 * and the erasure of a removed domain. Await it at the top of the test
 * file: which tests apply depends on the strategy itself.
 *
 * @example
 * await describeIsolationRegressions({ name: 'row-level', database: 'sqlite', createStrategy });
 */
export async function describeIsolationRegressions(options: StrategyConformanceOptions): Promise<void> {
  const fx = await createDataFixture(options, ['alpha', 'beta']);
  const regressions = [...UNIT_OF_WORK_REGRESSIONS, ...lifecycleRegressions(options)].filter(
    (regression) => regression.applies?.(fx) ?? true,
  );
  describe(`${options.name} on ${options.database}: isolation regressions`, () => {
    afterAll(async () => {
      await fx.close();
    });
    for (const regression of regressions) it(regression.name, () => regression.run(fx), 60_000);
  });
}
