import { describe, expect, it } from 'vitest';
import { createSite, type DomainDefinition, MdError } from '../src/index.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return MdError.is(error) ? error.code : `not an MdError: ${String(error)}`;
  }
  return undefined;
}

async function codeAsync(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
  } catch (error) {
    return MdError.is(error) ? error.code : `not an MdError: ${String(error)}`;
  }
  return undefined;
}

describe('DomainHandler', () => {
  it('registers, finds by name and host, iterates and removes', async () => {
    const site = await createSite({
      domains: [
        { name: 'acme', hosts: ['Acme.com', 'www.acme.com.', 'app.acme.com:8080'] },
        { name: 'globex' },
      ],
    });
    const acme = site.domains.get('acme')!;
    expect(acme.hosts).toEqual(['acme.com', 'www.acme.com', 'app.acme.com']);
    expect(site.domains.findByHost('www.acme.com')).toBe(acme);
    expect(site.domains.has('globex')).toBe(true);
    expect([...site.domains].map((d) => d.name)).toEqual(['_main_', 'acme', 'globex']);
    expect(site.domains.size).toBe(3);
    await site.domains.remove('acme');
    expect(site.domains.findByHost('acme.com')).toBeUndefined();
    expect(site.domains.has('acme')).toBe(false);
  });

  it.each([
    ['upper case', 'Acme'],
    ['too short', 'ab'],
    ['leading dash', '-acme'],
    ['trailing dash', 'acme-'],
    ['dot', 'ac.me'],
    ['slash', 'ac/me'],
    ['traversal', '..'],
    ['underscore', 'ac_me'],
    ['too long', 'a'.repeat(51)],
    ['empty', ''],
    ['not a string', 42],
  ])('rejects an invalid name (%s) and changes nothing', async (_label, name) => {
    const site = await createSite({ domains: [{ name: 'acme' }] });
    expect(code(() => site.domains.register({ name } as DomainDefinition))).toBe('INVALID_DOMAIN_NAME');
    expect(site.domains.names()).toEqual(['_main_', 'acme']);
  });

  it('accepts names at the limits of the pattern', async () => {
    const site = await createSite();
    for (const name of ['abc', 'a1b', '0-9', 'a'.repeat(50), 'clinic-42']) site.domains.register({ name });
    expect(site.domains.size).toBe(6);
  });

  it('rejects duplicate names, duplicate hosts and a host claimed by two domains', async () => {
    const site = await createSite({ domains: [{ name: 'acme', hosts: ['acme.com'] }] });
    expect(code(() => site.domains.register({ name: 'acme' }))).toBe('DUPLICATE_DOMAIN');
    expect(code(() => site.domains.register({ name: 'globex', hosts: ['ACME.com'] }))).toBe('HOST_CONFLICT');
    expect(code(() => site.domains.register({ name: 'globex', hosts: ['g.com', 'G.com'] }))).toBe(
      'INVALID_DOMAIN_DEFINITION',
    );
    expect(code(() => site.domains.register({ name: 'globex', hosts: ['bad host'] }))).toBe(
      'INVALID_DOMAIN_DEFINITION',
    );
    expect(code(() => site.domains.register({ name: 'globex', status: 'paused' as never }))).toBe(
      'INVALID_DOMAIN_DEFINITION',
    );
    expect(code(() => site.domains.register({ name: '_main_' }))).toBe('DUPLICATE_DOMAIN');
    expect(site.domains.names()).toEqual(['_main_', 'acme']);
    expect(site.domains.findByHost('g.com')).toBeUndefined();
  });

  it('rejects an update that would steal a host, leaving both domains unchanged', async () => {
    const site = await createSite({
      domains: [
        { name: 'acme', hosts: ['acme.com'] },
        { name: 'globex', hosts: ['globex.com'] },
      ],
    });
    expect(await codeAsync(() => site.domains.update('globex', { hosts: ['acme.com'] }))).toBe(
      'HOST_CONFLICT',
    );
    expect(site.domains.findByHost('acme.com')?.name).toBe('acme');
    expect(site.domains.findByHost('globex.com')?.name).toBe('globex');
    expect(await codeAsync(() => site.domains.update('nope', {}))).toBe('DOMAIN_NOT_FOUND');
    expect(await codeAsync(() => site.domains.remove('_main_'))).toBe('ROOT_DOMAIN_PROTECTED');
  });

  it('moves hosts on update and emits typed events', async () => {
    const site = await createSite({ domains: [{ name: 'acme', hosts: ['acme.com'] }] });
    const events: string[] = [];
    site.events.on('domain:added', (d) => events.push(`added:${d.name}`));
    site.events.on('domain:updated', (d) => events.push(`updated:${d.name}`));
    site.events.on('domain:status-changed', (d, from, to) => events.push(`status:${d.name}:${from}->${to}`));
    site.events.on('domain:removed', (name) => events.push(`removed:${name}`));
    site.domains.register({ name: 'globex' });
    await site.domains.update('acme', { hosts: ['acme.io'], status: 'suspended' });
    expect(site.domains.findByHost('acme.com')).toBeUndefined();
    expect(site.domains.findByHost('acme.io')?.name).toBe('acme');
    await site.domains.remove('globex');
    expect(events).toEqual([
      'added:globex',
      'updated:acme',
      'status:acme:active->suspended',
      'removed:globex',
    ]);
  });

  it('finds a host among 100,000 domains through the index', async () => {
    const domains = Array.from({ length: 100_000 }, (_, i) => ({
      name: `d${i}x`,
      hosts: [`d${i}x.example.com`],
    }));
    const site = await createSite({ domains });
    expect(site.domains.findByHost('d99999x.example.com')?.name).toBe('d99999x');
    expect(site.domains.findByHost('nobody.example.com')).toBeUndefined();
  });
});

describe('preferences', () => {
  it('fall back to the root domain, and own values win', async () => {
    const site = await createSite({
      root: { preferences: { locale: 'en-GB', currency: 'GBP', theme: 'light' } },
      domains: [
        { name: 'acme', preferences: { locale: 'de-DE', theme: undefined } },
        { name: 'globex', preferences: { currency: 'USD' } },
      ],
    });
    const acme = site.domains.get('acme')!;
    const globex = site.domains.get('globex')!;
    expect(acme.preferences.get('locale')).toBe('de-DE');
    expect(acme.preferences.get('currency')).toBe('GBP');
    expect(globex.preferences.get('locale')).toBe('en-GB');
    expect(globex.preferences.get('currency')).toBe('USD');
    expect(globex.preferences.getOwn('locale')).toBeUndefined();
    expect(acme.preferences.get('theme')).toBe('light');
    expect(acme.preferences.get('missing')).toBeUndefined();
    expect(globex.preferences.all()).toEqual({ locale: 'en-GB', currency: 'USD', theme: 'light' });
    await site.domains.update('_main_', { preferences: { locale: 'fr-FR' } });
    expect(globex.preferences.get('locale')).toBe('fr-FR');
    site.run('globex', () => expect(site.domain.preferences.get('currency')).toBe('USD'));
  });

  it('can be set by a root definition in the domain list', async () => {
    const site = await createSite({
      domains: [{ name: '_main_', preferences: { locale: 'it-IT' } }, { name: 'acme' }],
    });
    expect(site.domains.get('acme')!.preferences.get('locale')).toBe('it-IT');
  });
});

describe('DomainProxy', () => {
  it('exposes status, features, attributes, branding and a per-domain register', async () => {
    const site = await createSite({
      domains: [
        {
          name: 'acme',
          status: 'trial',
          features: ['reports'],
          attributes: { plan: 'pro' },
          branding: { name: 'Acme', primaryColor: '#f00' },
        },
        { name: 'globex' },
      ],
    });
    const acme = site.domains.get('acme')!;
    const globex = site.domains.get('globex')!;
    expect(acme.status).toBe('trial');
    expect(acme.isAvailable).toBe(true);
    expect(acme.hasFeature('reports')).toBe(true);
    expect(globex.hasFeature('reports')).toBe(false);
    expect(acme.attributes).toEqual({ plan: 'pro' });
    expect(acme.branding.name).toBe('Acme');
    acme.register.set('counter', 1);
    expect(globex.register.has('counter')).toBe(false);
    expect(Object.isFrozen(acme.definition)).toBe(true);
  });
});
