import { EventEmitter } from 'eventemitter3';
import type { DomainProxy } from './domain-proxy.js';
import type { MdError } from './errors.js';
import type { DomainStatus, MigrationReport } from './types.js';

/**
 * Every event a site emits, with its payload. Strategies and adapters emit
 * through the same emitter (pool events, provisioning, security).
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
  'security:cross-domain': [info: { userDomain: string; requestDomain: string; user: string; path: string }];
}

/** The typed event emitter of a site. */
export type MdEventEmitter = EventEmitter<MdEvents>;

export function createEventEmitter(): MdEventEmitter {
  return new EventEmitter<MdEvents>();
}
