// @md/admin/onboarding — the onboarding routes of the admin API, over @md/registry.
export type { FirstAdminContext, OnboardingRoutesOptions } from './routes.js';
export { mountOnboarding } from './routes.js';
