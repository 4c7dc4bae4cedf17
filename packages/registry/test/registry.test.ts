import { createSite, MdError } from '@md/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDomainRegistry, type DomainRegistry, followRegistry } from '../src/index.js';
import { freshUrl, waitFor } from './helpers.js';

const open: DomainRegistry[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

async function registry(url: string, options: { pollIntervalMs?: number } = {}) {
  const r = await createDomainRegistry({ url, ...options });
  open.push(r);
  return r;
}

describe.each(['sqlite', 'postgres'] as const)('domain registry on %s', (kind) => {
  it('adds, reads, updates, suspends, resumes and removes domains', async () => {
    const r = await registry(await freshUrl(kind));
    const added = await r.addDomain({
      name: 'acme',
      hosts: ['Acme.com', 'www.acme.com.'],
      attributes: { plan: 'pro' },
      features: ['reports'],
      preferences: { locale: 'fr' },
      branding: { name: 'Acme Outfitters', primaryColor: '#3B82F6' },
    });
    expect(added.definition).toEqual({
      name: 'acme',
      hosts: ['acme.com', 'www.acme.com'],
      status: 'active',
      features: ['reports'],
      preferences: { locale: 'fr' },
      branding: { name: 'Acme Outfitters', primaryColor: '#3B82F6' },
      attributes: { plan: 'pro' },
    });
    expect(added.displayName).toBe('Acme Outfitters');
    expect(added.hosts.every((h) => h.verified)).toBe(true);
    expect(Date.parse(added.createdAt)).toBeGreaterThan(Date.now() - 60_000);

    await r.addDomain({ name: 'globex' });
    expect((await r.load()).map((d) => d.name)).toEqual(['acme', 'globex']);

    const updated = await r.updateDomain('acme', {
      attributes: { plan: 'enterprise' },
      hosts: ['acme.com', 'shop.acme.com'],
    });
    expect(updated.definition.attributes).toEqual({ plan: 'enterprise' });
    expect(updated.definition.features).toEqual(['reports']);
    expect(updated.hosts.map((h) => h.host).sort()).toEqual(['acme.com', 'shop.acme.com']);

    expect((await r.suspend('acme')).status).toBe('suspended');
    expect((await r.get('acme'))?.status).toBe('suspended');
    expect((await r.resume('acme')).status).toBe('active');

    await r.removeDomain('acme');
    expect(await r.get('acme')).toBeUndefined();
    expect(await r.findByHost('acme.com')).toBeUndefined();
    expect((await r.load()).map((d) => d.name)).toEqual(['globex']);
  });

  it('keeps hosts unique, serves only verified hosts, and refuses bad input with typed errors', async () => {
    const r = await registry(await freshUrl(kind));
    await r.addDomain({ name: 'acme', hosts: ['acme.com'] });
    await r.addDomain({ name: 'globex' });
    const codeOf = async (p: Promise<unknown>) =>
      (
        (await p.then(
          () => undefined,
          (e: unknown) => e,
        )) as MdError
      )?.code;

    expect(await codeOf(r.addDomain({ name: 'acme' }))).toBe('DUPLICATE_DOMAIN');
    expect(await codeOf(r.addDomain({ name: 'Bad Name!' }))).toBe('INVALID_DOMAIN_NAME');
    expect(await codeOf(r.addDomain({ name: 'initech', hosts: ['acme.com'] }))).toBe('HOST_CONFLICT');
    expect(await r.get('initech')).toBeUndefined(); // the failed add left nothing behind
    expect(await codeOf(r.addHost('globex', 'ACME.com'))).toBe('HOST_CONFLICT');
    expect(await codeOf(r.addHost('globex', 'a/b'))).toBe('INVALID_DOMAIN_DEFINITION');
    expect(await codeOf(r.addHost('nope', 'nope.com'))).toBe('DOMAIN_NOT_FOUND');
    expect(await codeOf(r.verifyHost('nope.com'))).toBe('HOST_NOT_FOUND');
    expect(await codeOf(r.removeHost('nope.com'))).toBe('HOST_NOT_FOUND');
    expect(await codeOf(r.removeDomain('nope'))).toBe('DOMAIN_NOT_FOUND');
    expect(await codeOf(r.updateDomain('acme', { status: 'paused' as never }))).toBe(
      'INVALID_DOMAIN_DEFINITION',
    );

    const host = await r.addHost('globex', 'Globex.example');
    expect(host).toMatchObject({ host: 'globex.example', verified: false });
    expect((await r.load()).find((d) => d.name === 'globex')?.hosts).toEqual([]);
    expect(await r.findByHost('globex.example')).toEqual({ domain: 'globex', verified: false });
    await r.verifyHost('globex.example');
    expect((await r.load()).find((d) => d.name === 'globex')?.hosts).toEqual(['globex.example']);
    expect(await r.findByHost('GLOBEX.example')).toEqual({ domain: 'globex', verified: true });
    await r.removeHost('globex.example');
    expect(await r.findByHost('globex.example')).toBeUndefined();
  });

  it('answers lookups from its LRU and drops them on every change', async () => {
    const url = await freshUrl(kind);
    const r = await registry(url);
    const other = await registry(url);
    await r.addDomain({ name: 'acme', hosts: ['acme.com'] });
    expect((await r.get('acme'))?.status).toBe('active');
    expect(await r.findByHost('acme.com')).toEqual({ domain: 'acme', verified: true });
    expect(await r.get('ghost')).toBeUndefined();
    expect(r.cacheSize).toBe(3);
    // Served from the LRU: the same object, no query.
    expect(await r.get('acme')).toBe(await r.get('acme'));

    // A change made by another instance reaches this one's cache.
    await other.suspend('acme');
    await waitFor(async () => (await r.get('acme'))?.status === 'suspended');
    await other.addDomain({ name: 'ghost' });
    await waitFor(async () => (await r.get('ghost')) !== undefined);
  });

  it('a followed site registers, suspends and forgets domains changed by another instance', async () => {
    const url = await freshUrl(kind);
    const writer = await registry(url);
    const reader = await registry(url, { pollIntervalMs: 100 });
    const site = await createSite({ domains: reader });
    const follower = followRegistry(site, reader);
    try {
      await writer.addDomain({ name: 'acme', hosts: ['acme.com'] });
      const ms = await waitFor(() => site.domains.findByHost('acme.com')?.name === 'acme');
      expect(ms).toBeLessThan(1000);
      await writer.suspend('acme');
      await waitFor(() => site.domains.get('acme')?.status === 'suspended');
      await writer.removeDomain('acme');
      await waitFor(() => !site.domains.has('acme'));
      expect(() => site.run('acme', () => 1)).toThrow(MdError);
    } finally {
      follower.stop();
      await site.close();
    }
  });

  it('serialises concurrent syncs of one site', async () => {
    const r = await registry(await freshUrl(kind));
    const site = await createSite({ domains: r });
    const follower = followRegistry(site, r);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => r.addDomain({ name: `d${String(i).padStart(2, '0')}` })),
    );
    await Promise.all([follower.sync(), follower.sync(), follower.sync()]);
    expect(site.domains.size).toBe(21);
    follower.stop();
    await site.close();
  });
});

it('reports an unreachable registry as STORE_UNAVAILABLE', async () => {
  const error = await createDomainRegistry({ url: 'postgres://nobody:x@127.0.0.1:1/none' }).catch(
    (e: unknown) => e,
  );
  expect(MdError.is(error, 'STORE_UNAVAILABLE')).toBe(true);
  expect((error as MdError).message).not.toContain(':x@');
});
