export type { DomainRegistryOptions, RegistryDomain, RegistryHost } from './domain-registry.js';
export { createDomainRegistry, DomainRegistry } from './domain-registry.js';
export type { RegistryFollower } from './follow-registry.js';
export { followRegistry } from './follow-registry.js';
export type { FirstAdminContext, OnboardingOptions } from './onboarding.js';
export { mountOnboarding } from './onboarding.js';
