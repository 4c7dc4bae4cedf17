import { MdError } from '../errors/md-error.js';
import { DOMAIN_STATUSES, type DomainDefinition } from './definition.js';
import { isValidDomainName, normalizeHost } from './names.js';
import type { ReservedHosts } from './names-reserved.js';

/** What {@link normalizeDefinition} checks a definition against besides its own fields. */
export interface DefinitionRules {
  /** The root domain's name: the one name exempt from the domain-code pattern (default `'_main_'`). */
  rootDomain?: string;
  /** The domain that owns a host today, if any: a host owned by another domain is a conflict. */
  hostOwner?: (host: string) => string | undefined;
  /**
   * Hosts the platform keeps (root hosts, a subdomain resolver's base
   * domains and every host under them, the admin API's hosts): no domain but
   * the root domain may claim them.
   */
  reserved?: ReservedHosts;
}

/**
 * The one validation of a domain definition, used by `site.domains` and by
 * every store that writes definitions: the name is a domain code, the status
 * one of `DOMAIN_STATUSES`, lists are lists of strings, objects are objects,
 * hosts are normalised (`normalizeHost`), unique, not owned by another
 * domain and, for every domain but the root domain, not kept by the platform
 * (`rules.reserved`). Answers a normalised copy; throws
 * `INVALID_DOMAIN_NAME`, `INVALID_DOMAIN_DEFINITION`, `HOST_RESERVED` or
 * `HOST_CONFLICT` and changes nothing.
 *
 * @example
 * normalizeDefinition({ name: 'acme', hosts: ['WWW.Acme.com.'] }); // { name: 'acme', hosts: ['www.acme.com'] }
 */
export function normalizeDefinition(
  definition: DomainDefinition,
  rules: DefinitionRules = {},
): DomainDefinition {
  if (definition === null || typeof definition !== 'object') {
    throw MdError.invalidDefinition(
      String(definition),
      'a domain definition must be an object with a "name"',
    );
  }
  const { name } = definition;
  const isRoot = name === (rules.rootDomain ?? '_main_');
  if (!isRoot && !isValidDomainName(name)) throw MdError.invalidDomainName(name);
  if (definition.status !== undefined && !DOMAIN_STATUSES.includes(definition.status)) {
    const got = JSON.stringify(definition.status);
    throw MdError.invalidDefinition(name, `status must be one of ${DOMAIN_STATUSES.join(', ')} (got ${got})`);
  }
  for (const key of ['hosts', 'features'] as const) {
    const list = definition[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((v) => typeof v !== 'string'))) {
      throw MdError.invalidDefinition(name, `${key} must be a list of strings`);
    }
  }
  for (const key of ['preferences', 'attributes', 'branding'] as const) {
    const value = definition[key];
    if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw MdError.invalidDefinition(name, `${key} must be an object`);
    }
  }
  const normalized: DomainDefinition = { ...definition };
  if (definition.hosts !== undefined) {
    normalized.hosts = normalizeHosts(
      name,
      definition.hosts,
      isRoot ? { ...rules, reserved: undefined } : rules,
    );
  }
  return normalized;
}

function normalizeHosts(name: string, raw: readonly string[], rules: DefinitionRules): string[] {
  const hosts: string[] = [];
  for (const entry of raw) {
    let host: string;
    try {
      host = normalizeHost(entry);
    } catch {
      throw MdError.invalidDefinition(name, `host ${JSON.stringify(entry)} is not a valid host name`);
    }
    if (hosts.includes(host)) throw MdError.invalidDefinition(name, `host "${host}" is listed twice`);
    const keeper = rules.reserved?.keeperOf(host);
    if (keeper !== undefined) throw MdError.hostReserved(host, keeper, name);
    const owner = rules.hostOwner?.(host);
    if (owner !== undefined && owner !== name) throw MdError.hostConflict(host, owner, name);
    hosts.push(host);
  }
  return hosts;
}
