import {
  DOMAIN_STATUSES,
  type DomainBranding,
  type DomainDefinition,
  type DomainStatus,
  isValidDomainName,
  MdError,
  normalizeHost,
} from '@md/core';
import type { RegistryDomain, RegistryHost } from '../domain-registry.js';
import type { Row } from './sql-client.js';

export function validate(definition: DomainDefinition): DomainDefinition {
  if (definition === null || typeof definition !== 'object') {
    throw MdError.invalidDefinition(
      String(definition),
      'a domain definition must be an object with a "name"',
    );
  }
  const { name } = definition;
  if (!isValidDomainName(name)) throw MdError.invalidDomainName(name);
  if (definition.status !== undefined && !DOMAIN_STATUSES.includes(definition.status)) {
    throw MdError.invalidDefinition(name, `status must be one of ${DOMAIN_STATUSES.join(', ')}`);
  }
  if (
    definition.features !== undefined &&
    (!Array.isArray(definition.features) || definition.features.some((f) => typeof f !== 'string'))
  ) {
    throw MdError.invalidDefinition(name, 'features must be a list of strings');
  }
  for (const key of ['preferences', 'attributes', 'branding'] as const) {
    const value = definition[key];
    if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw MdError.invalidDefinition(name, `${key} must be an object`);
    }
  }
  if (definition.hosts !== undefined && !Array.isArray(definition.hosts)) {
    throw MdError.invalidDefinition(name, 'hosts must be a list of strings');
  }
  const hosts = (definition.hosts ?? []).map((h) => checkHost(name, h));
  if (new Set(hosts).size !== hosts.length) throw MdError.invalidDefinition(name, 'a host is listed twice');
  return { ...definition, hosts };
}

export function checkHost(code: string, host: unknown): string {
  if (typeof host !== 'string') throw MdError.invalidDefinition(code, 'hosts must be a list of strings');
  try {
    return normalizeHost(host);
  } catch {
    throw MdError.invalidDefinition(code, `host ${JSON.stringify(host)} is not a valid host name`);
  }
}

export function displayNameOf(def: DomainDefinition): string {
  return def.branding?.name ?? def.name;
}

export function jsonColumns(def: DomainDefinition): string[] {
  const { name: _display, ...branding } = def.branding ?? {};
  return [
    JSON.stringify(def.attributes ?? {}),
    JSON.stringify(def.features ?? []),
    JSON.stringify(def.preferences ?? {}),
    JSON.stringify(branding),
  ];
}

export function groupHosts(rows: Row[]): Map<string, RegistryHost[]> {
  const map = new Map<string, RegistryHost[]>();
  for (const row of rows) {
    const code = String(row.domain_code);
    const list = map.get(code) ?? [];
    list.push(toHost(row));
    map.set(code, list);
  }
  return map;
}

export function toHost(row: Row): RegistryHost {
  return { host: String(row.host), verified: truthy(row.is_verified), createdAt: timestamp(row.created_at) };
}

export function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

export function timestamp(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  // SQLite's current_timestamp is UTC "YYYY-MM-DD HH:MM:SS".
  return new Date(`${String(value).replace(' ', 'T')}Z`).toISOString();
}

export function parseJson<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  if (typeof value !== 'string') return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    return fallback;
  }
}

export function toDomain(row: Row, hosts: RegistryHost[], serveUnverified: boolean): RegistryDomain {
  const code = String(row.code);
  const displayName = String(row.name);
  const served = serveUnverified ? hosts : hosts.filter((h) => h.verified);
  const branding = { ...parseJson<DomainBranding>(row.branding, {}), name: displayName };
  const definition: DomainDefinition = {
    name: code,
    hosts: served.map((h) => h.host),
    status: String(row.status) as DomainStatus,
    features: parseJson<string[]>(row.features, []),
    preferences: parseJson<Record<string, unknown>>(row.preferences, {}),
    branding,
    attributes: parseJson<Record<string, unknown>>(row.attributes, {}),
  };
  if (row.database_url !== null && row.database_url !== undefined)
    definition.databaseUrl = String(row.database_url);
  return {
    definition,
    displayName,
    status: definition.status!,
    hosts,
    createdAt: timestamp(row.created_at),
    updatedAt: timestamp(row.updated_at),
  };
}
