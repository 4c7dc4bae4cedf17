/**
 * The dependency-injection container md gives each domain a child of, when
 * the site is given one (`createSite({ container })`). md only creates,
 * registers into and disposes containers; tsyringe's `DependencyContainer`
 * fits as is, and any container with the same four methods does.
 *
 * @example
 * import { container } from 'tsyringe';
 * const site = await createSite({ container: container.createChildContainer() });
 * site.domains.get('acme')!.container.resolve(Mailer); // acme's Mailer
 */
export interface DomainContainer {
  createChildContainer(): DomainContainer;
  register(token: symbol, provider: { useValue: unknown }): unknown;
  // biome-ignore lint/suspicious/noExplicitAny: a class token of any constructor signature, as DI containers take it
  resolve<T>(token: (new (...args: any[]) => T) | string | symbol): T;
  dispose(): unknown;
}

/**
 * Injection token for the current domain's proxy inside its child container.
 *
 * @example
 * @injectable()
 * class Mailer { constructor(@inject(CurrentDomain) readonly domain: DomainProxy) {} }
 */
export const CurrentDomain: unique symbol = Symbol.for('md.CurrentDomain');
