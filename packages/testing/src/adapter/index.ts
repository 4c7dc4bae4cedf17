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
export type { PolicyFixture } from './policies.js';
export { describePolicyConformance, POLICY_ADMIN_TOKEN } from './policies.js';
export type {
  AdapterHarness,
  ConformanceCookie,
  ConformanceReply,
  ConformanceRequest,
  ConformanceRoute,
  RunningApp,
} from './types.js';
