export { describeAttributionConformance } from './attribution.js';
export { describeAdapterConformance } from './conformance.js';
export type {
  ConformanceFixture,
  ConformanceFixtureOptions,
  CountingIsolation,
  FakeEntityManager,
} from './fixture.js';
export { createConformanceFixture, LOAD_DOMAINS } from './fixture.js';
export type { ClientRequest, ClientResponse } from './http-client.js';
export { send } from './http-client.js';
export { listenOnLoopback } from './listen.js';
export { describePolicyConformance } from './policies.js';
export type { LogLine, PolicyFixture } from './policy-fixture.js';
export { createPolicyFixture, POLICY_ADMIN_TOKEN } from './policy-fixture.js';
export type {
  AdapterHarness,
  ConformanceCookie,
  ConformanceReply,
  ConformanceRequest,
  ConformanceRoute,
  RunningApp,
} from './types.js';
