import 'reflect-metadata';
import { container, inject, injectable, Lifecycle } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import { CurrentDomain, createSite, type DomainProxy, MdError } from '../src/index.js';

class Mailer {
  static created = 0;
  disposed = false;
  constructor(readonly host: string) {
    Mailer.created++;
  }
  dispose() {
    this.disposed = true;
  }
}

describe('services', () => {
  it('gives one instance per (service, domain), created lazily', async () => {
    const site = await createSite({
      domains: [
        { name: 'acme', preferences: { smtp: 'smtp.acme.com' } },
        { name: 'globex', preferences: { smtp: 'smtp.globex.com' } },
      ],
    });
    let calls = 0;
    site.services.register('mailer', (domain) => {
      calls++;
      return new Mailer(String(domain.preferences.get('smtp')));
    });
    expect(calls).toBe(0);
    const acme = site.domains.get('acme')!;
    const globex = site.domains.get('globex')!;
    const a1 = acme.service<Mailer>('mailer');
    const a2 = site.run('acme', () => site.domain.service<Mailer>('mailer'));
    const g1 = globex.service<Mailer>('mailer');
    expect(a1).toBe(a2);
    expect(a1).not.toBe(g1);
    expect(a1.host).toBe('smtp.acme.com');
    expect(g1.host).toBe('smtp.globex.com');
    expect(calls).toBe(2);
    expect(acme.activeServices).toEqual(['mailer']);
  });

  it('disposes and rebuilds a domain instance when that domain is updated, and only that one', async () => {
    const site = await createSite({ domains: [{ name: 'acme' }, { name: 'globex' }] });
    site.services.register(
      'mailer',
      (domain) => new Mailer(String(domain.preferences.get('smtp') ?? 'default')),
    );
    const acme = site.domains.get('acme')!;
    const before = acme.service<Mailer>('mailer');
    const other = site.domains.get('globex')!.service<Mailer>('mailer');
    await site.domains.update('acme', { preferences: { smtp: 'new.acme.com' } });
    expect(before.disposed).toBe(true);
    const after = acme.service<Mailer>('mailer');
    expect(after).not.toBe(before);
    expect(after.host).toBe('new.acme.com');
    expect(other.disposed).toBe(false);
    expect(site.domains.get('globex')!.service('mailer')).toBe(other);
  });

  it('disposes (close() too) when a domain is removed', async () => {
    const site = await createSite({ domains: [{ name: 'acme' }] });
    let closed = 0;
    site.services.register('pool', () => ({ close: async () => void closed++ }));
    site.domains.get('acme')!.service('pool');
    await site.domains.remove('acme');
    expect(closed).toBe(1);
  });

  it('rejects unknown and duplicate services with typed errors', async () => {
    const site = await createSite({ domains: [{ name: 'acme' }] });
    site.services.register('x', () => 1);
    expect(() => site.services.register('x', () => 2)).toThrowError(
      expect.objectContaining({ code: 'DUPLICATE_SERVICE' }),
    );
    expect(() => site.domains.get('acme')!.service('nope')).toThrowError(
      expect.objectContaining({ code: 'UNKNOWN_SERVICE' }),
    );
    expect(MdError.is(new MdError('UNKNOWN_SERVICE', 'x'), 'UNKNOWN_SERVICE')).toBe(true);
  });
});

@injectable()
class Greeter {
  constructor(@inject(CurrentDomain) readonly domain: DomainProxy) {}
  greet() {
    return `hello from ${this.domain.name}`;
  }
}

describe('tsyringe child containers', () => {
  it('give per-domain singletons with the current domain injected', async () => {
    const root = container.createChildContainer();
    const site = await createSite({ container: root, domains: [{ name: 'acme' }, { name: 'globex' }] });
    expect(site.container).toBe(root);
    root.register(Greeter, { useClass: Greeter }, { lifecycle: Lifecycle.ContainerScoped });
    const acme = site.domains.get('acme')!;
    const globex = site.domains.get('globex')!;
    const a = acme.container.resolve(Greeter);
    expect(acme.container.resolve(Greeter)).toBe(a);
    const g = globex.container.resolve(Greeter);
    expect(g).not.toBe(a);
    expect(a.greet()).toBe('hello from acme');
    expect(g.greet()).toBe('hello from globex');
    expect(acme.container.resolve<DomainProxy>(CurrentDomain)).toBe(acme);
  });

  it('rebuilds the container after the domain is updated', async () => {
    const root = container.createChildContainer();
    const site = await createSite({ container: root, domains: [{ name: 'acme' }] });
    root.register(Greeter, { useClass: Greeter }, { lifecycle: Lifecycle.ContainerScoped });
    const acme = site.domains.get('acme')!;
    const before = acme.container.resolve(Greeter);
    await site.domains.update('acme', { features: ['x'] });
    expect(acme.container.resolve(Greeter)).not.toBe(before);
  });

  it('are optional: a site without a container says how to give it one', async () => {
    const site = await createSite({ domains: [{ name: 'acme' }] });
    expect(site.container).toBeUndefined();
    expect(() => site.domains.get('acme')!.container).toThrowError(
      expect.objectContaining({
        code: 'INVALID_OPTIONS',
        message: expect.stringMatching(/createSite\(\{ container \}\)/),
      }),
    );
  });
});
