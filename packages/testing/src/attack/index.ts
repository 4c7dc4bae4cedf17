export type { Attack, AttackExpectation } from './attack.js';
export { attack, get, observed, refused, served } from './attack.js';
export type { DataFixture, DomainRows, Outcome } from './data-fixture.js';
export { attempt, createDataFixture, isRefusal, reveals, secretOf, stringsOf } from './data-fixture.js';
export { DATA_ATTACKS, describeDataAttacks } from './describe-data-attacks.js';
export { describeHttpAttacks, HTTP_ATTACK_COUNT, HTTP_ATTACKS } from './describe-http-attacks.js';
export type { AttackFixture } from './fixture.js';
export {
  ATTACK_ADMIN_TOKEN,
  ATTACK_BODY_TIMEOUT_MS,
  BROKEN_DATABASE_ERROR,
  createAttackFixture,
} from './fixture.js';
export type { DataLimit } from './limits.js';
export { DATA_LIMITS, limitApplies } from './limits.js';
export type { RawRequestInit, RawResponse } from './raw-client.js';
export { rawRequest, sendRaw } from './raw-client.js';
export type { AttackContext, DataAttack } from './types.js';
