import { MdError } from '../errors/md-error.js';
import type { ServiceFactory } from './proxy.js';
import type { ServiceMap } from './service-map.js';

/**
 * The site's service definitions (`site.services`). An instance is created
 * lazily per (service, domain), kept until that domain is updated or
 * removed, then disposed (`dispose()` or `close()` when it has one) and
 * rebuilt on next use.
 *
 * @example
 * site.services.register('mailer', (domain) => new Mailer(domain.preferences.get('smtpHost')));
 * site.domain.service('mailer'); // the current domain's Mailer
 */
export class ServiceRegistry {
  readonly #factories = new Map<string, ServiceFactory>();

  /** Registers a service factory; it receives the domain, so it can read its preferences and attributes. */
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

  /** @internal The factory of a registered service; throws `UNKNOWN_SERVICE` otherwise. */
  factory(name: string): ServiceFactory {
    const factory = this.#factories.get(name);
    if (factory === undefined) throw MdError.unknownService(name);
    return factory;
  }
}
