import type { DomainProxy } from './domain-proxy.js';
import { MdError } from './errors.js';

/**
 * Map service names to their types for typed `domain.service(name)`, by
 * module augmentation:
 *
 * @example
 * declare module '@md/core' {
 *   interface ServiceMap { mailer: Mailer }
 * }
 * site.domain.service('mailer'); // Mailer
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by module augmentation
export interface ServiceMap {}

/** Builds one service instance for one domain. */
export type ServiceFactory<T = unknown> = (domain: DomainProxy) => T;

/**
 * The site's service definitions. An instance is created lazily per
 * (service, domain), kept until that domain is updated or removed, then
 * disposed (`dispose()` or `close()` when it has one) and rebuilt on next use.
 */
export class ServiceRegistry {
  readonly #factories = new Map<string, ServiceFactory>();

  /**
   * Registers a service factory. The factory receives the DomainProxy, so it
   * can read the domain's preferences, attributes and credentials.
   *
   * @example
   * site.services.register('mailer', (domain) => new Mailer(domain.preferences.get('smtpHost')));
   */
  register<TName extends string>(
    name: TName,
    factory: ServiceFactory<TName extends keyof ServiceMap ? ServiceMap[TName] : unknown>,
  ): this {
    if (this.#factories.has(name)) throw MdError.duplicateService(name);
    this.#factories.set(name, factory as ServiceFactory);
    return this;
  }

  has(name: string): boolean {
    return this.#factories.has(name);
  }

  names(): string[] {
    return [...this.#factories.keys()];
  }

  /** @internal */
  factory(name: string): ServiceFactory {
    const factory = this.#factories.get(name);
    if (factory === undefined) throw MdError.unknownService(name);
    return factory;
  }
}

/** Disposes one service instance (or the promise of one); never throws. */
export async function disposeService(instance: unknown): Promise<void> {
  const value = await Promise.resolve(instance).catch(() => undefined);
  if (value === null || typeof value !== 'object') return;
  const disposable = value as { dispose?: () => unknown; close?: () => unknown };
  if (typeof disposable.dispose === 'function') await disposable.dispose();
  else if (typeof disposable.close === 'function') await disposable.close();
}
