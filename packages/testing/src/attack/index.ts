export type { Attack, AttackExpectation } from './attack.js';
export { attack, get, observed, refused, served } from './attack.js';
export { describeHttpAttacks, HTTP_ATTACK_COUNT, HTTP_ATTACKS } from './describe-http-attacks.js';
export type { AttackFixture } from './fixture.js';
export {
  ATTACK_ADMIN_TOKEN,
  ATTACK_BODY_TIMEOUT_MS,
  BROKEN_DATABASE_ERROR,
  createAttackFixture,
} from './fixture.js';
export type { RawRequestInit, RawResponse } from './raw-client.js';
export { rawRequest, sendRaw } from './raw-client.js';
