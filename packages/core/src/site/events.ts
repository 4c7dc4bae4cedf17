import { EventEmitter } from 'eventemitter3';
import type { DomainStatus } from '../domains/definition.js';
import type { DomainProxy } from '../domains/proxy.js';
import type { MdError } from '../errors/md-error.js';
import type { MigrationReport } from '../isolation/reports.js';

/** What the cross-domain guard reports when it refuses a session of another domain. */
export interface CrossDomainEntry {
  userDomain: string;
  requestDomain: string;
  user: string;
  path: string;
}

/**
 * Every event a site emits, with its payload. Strategies and plugins emit
 * and listen through the same emitter (pool events, provisioning, security);
 * `@md/observability` turns them into log lines and metrics.
 */
export interface MdEvents {
  'domain:added': [domain: DomainProxy];
  'domain:updated': [domain: DomainProxy];
  'domain:removed': [name: string];
  'domain:status-changed': [domain: DomainProxy, from: DomainStatus, to: DomainStatus];
  'request:resolved': [info: { domain: string; via: string; host: string; path: string }];
  'request:not-resolved': [info: { host: string; path: string; error: MdError }];
  'domain:provisioned': [info: { domain: string; ms: number }];
  'domain:deprovisioned': [info: { domain: string }];
  'domain:migrated': [report: MigrationReport];
  'pool:opened': [info: { domain: string; ms: number; open: number }];
  'pool:evicted': [info: { domain: string; reason: 'budget' | 'idle' | 'released'; open: number }];
  'security:cross-domain': [info: CrossDomainEntry];
  /** A plugin or store failed in the background (a registry sync…); nothing else reports it. */
  'site:error': [info: { source: string; error: unknown }];
}

/** The typed event emitter of a site (`site.events`). */
export type MdEventEmitter = EventEmitter<MdEvents>;

/** @internal */
export function createEventEmitter(): MdEventEmitter {
  return new EventEmitter<MdEvents>();
}
