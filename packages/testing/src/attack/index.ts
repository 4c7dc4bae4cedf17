export { DATA_ATTACKS, describeDataAttacks } from './describe-data-attacks.js';
export type { DataFixture, DomainRows, Outcome } from './fixture.js';
export { attempt, createDataFixture, isRefusal, reveals, secretOf, stringsOf } from './fixture.js';
export type { DataLimit } from './limits.js';
export { DATA_LIMITS, limitApplies } from './limits.js';
export type { AttackContext, DataAttack } from './types.js';
