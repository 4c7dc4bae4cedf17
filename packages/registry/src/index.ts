export { createDomainRegistry } from './create-registry.js';
export type { DomainRegistryOptions, RegistryDomain, RegistryHost } from './domain-registry.js';
export { DomainRegistry } from './domain-registry.js';
export type { RegistryDomainSummary } from './domain-summary.js';
export { domainSummary } from './domain-summary.js';
export type { RegistryFollower } from './follow-registry.js';
export { followRegistry } from './follow-registry.js';
export type { OffboardOptions, OnboardingContext, OnboardOptions, OnboardResult } from './onboarding.js';
export { offboardDomain, onboardDomain } from './onboarding.js';
export type {
  AdminRouteRequest,
  AdminRoutes,
  FirstAdminContext,
  OnboardingRoutesOptions,
} from './onboarding-routes.js';
export { mountOnboarding } from './onboarding-routes.js';
