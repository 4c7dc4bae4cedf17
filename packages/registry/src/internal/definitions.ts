import {
  type DomainBranding,
  type DomainDefinition,
  type DomainStatus,
  isValidDomainName,
  MdError,
  normalizeDefinition,
} from '@md/core';
import type { RegistryDomain, RegistryHost } from '../types.js';
import type { Row } from './sql-client.js';

/** The one definition validation of core, plus the registry's own rule: the root domain is never stored. */
export function validate(definition: DomainDefinition): DomainDefinition {
  const normalized = normalizeDefinition(definition);
  if (!isValidDomainName(normalized.name)) throw MdError.invalidDomainName(normalized.name);
  return { ...normalized, hosts: normalized.hosts ?? [] };
}

export function checkHost(code: string, host: unknown): string {
  return normalizeDefinition({ name: code, hosts: [host as string] }).hosts![0]!;
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
