import { currentScope, getCurrentDomain } from '../context/domain-context.js';
import { MdError } from '../errors/md-error.js';

/**
 * The feature guard: throws `403 FEATURE_DISABLED` unless the current domain
 * has the feature switched on. Every adapter's `requireFeature(feature)`
 * route guard calls it; call it directly anywhere inside a domain.
 *
 * @example
 * assertFeature('reports'); // inside a request of a domain with features: ['reports']
 */
export function assertFeature(feature: string): void {
  const domain = getCurrentDomain();
  if (!domain.hasFeature(feature)) throw MdError.featureDisabled(domain.name, feature);
}

/**
 * The cross-domain guard: refuses a session whose user belongs to another
 * domain than the one the current request resolved to. It emits
 * `security:cross-domain` (which `@md/observability` writes as an audit
 * line naming both domains, the user and the path), then throws
 * `403 CROSS_DOMAIN_ACCESS`.
 *
 * @example
 * assertSessionDomain({ domain: session.domain, user: session.userId });
 */
export function assertSessionDomain(session: { domain: string; user: string }): void {
  const scope = currentScope();
  if (scope === undefined) throw MdError.noCurrentDomain('assertSessionDomain()');
  const current = scope.domain.name;
  if (session.domain === current) return;
  const path = scope.request?.originalPath ?? '';
  const entry = { userDomain: session.domain, requestDomain: current, user: session.user, path };
  scope.site.events.emit('security:cross-domain', entry);
  throw MdError.crossDomainAccess(entry);
}
