import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSite, envStore, jsonFileStore, MdError, memoryStore } from '../src/index.js';
import { tempDir } from './temp.js';

async function tempFile(content: string): Promise<string> {
  const dir = tempDir('md-store-');
  const file = join(dir, 'domains.json');
  await writeFile(file, content);
  return file;
}

async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return MdError.is(error) ? error.code : String(error);
  }
  return undefined;
}

describe('domain stores', () => {
  it('load domains from a JSON file, array or { domains } form', async () => {
    const file = await tempFile(
      JSON.stringify({
        domains: [
          { name: '_main_', preferences: { locale: 'en' } },
          { name: 'acme', hosts: ['acme.com'], features: ['reports'] },
          { name: 'globex', status: 'suspended' },
        ],
      }),
    );
    const site = await createSite({ domains: jsonFileStore(file) });
    expect(site.domains.names()).toEqual(['_main_', 'acme', 'globex']);
    expect(site.domains.findByHost('acme.com')?.hasFeature('reports')).toBe(true);
    expect(site.domains.get('globex')!.status).toBe('suspended');
    expect(site.domains.get('acme')!.preferences.get('locale')).toBe('en');

    await writeFile(file, JSON.stringify([{ name: 'acme', hosts: ['acme.io'] }, { name: 'initech' }]));
    const changes = await site.domains.discover();
    expect(changes).toEqual({ added: ['initech'], updated: ['acme'], removed: ['globex'] });
    expect(site.domains.findByHost('acme.io')?.name).toBe('acme');
    expect(site.domains.findByHost('acme.com')).toBeUndefined();
    expect(site.domains.get('acme')!.hasFeature('reports')).toBe(false);
  });

  it('load domains from MD_DOMAINS in the environment', async () => {
    const env = { MD_DOMAINS: JSON.stringify([{ name: 'acme', hosts: ['acme.com'] }]) };
    const site = await createSite({ domains: envStore({ env }) });
    expect(site.domains.findByHost('acme.com')?.name).toBe('acme');
    const custom = await createSite({
      domains: envStore({ variable: 'TENANTS', env: { TENANTS: '[{"name":"abc"}]' } }),
    });
    expect(custom.domains.has('abc')).toBe(true);
    const empty = await createSite({ domains: envStore({ env: {} }) });
    expect(empty.domains.names()).toEqual(['_main_']);
  });

  it('reject invalid or unreadable stores with typed errors and change nothing', async () => {
    expect(await errorCode(createSite({ domains: envStore({ env: { MD_DOMAINS: '{not json' } }) }))).toBe(
      'STORE_INVALID',
    );
    expect(await errorCode(createSite({ domains: envStore({ env: { MD_DOMAINS: '{"x":1}' } }) }))).toBe(
      'STORE_INVALID',
    );
    expect(
      await errorCode(createSite({ domains: envStore({ env: { MD_DOMAINS: '[{"hosts":[]}]' } }) })),
    ).toBe('STORE_INVALID');
    expect(await errorCode(createSite({ domains: jsonFileStore('/nonexistent/domains.json') }))).toBe(
      'STORE_UNAVAILABLE',
    );
    const store = memoryStore([{ name: 'acme', hosts: ['a.com'] }]);
    const site = await createSite({ domains: store });
    store.set([
      { name: 'acme', hosts: ['a.com'] },
      { name: 'globex', hosts: ['a.com'] },
    ]);
    expect(await errorCode(site.domains.discover())).toBe('HOST_CONFLICT');
    store.set([{ name: 'acme' }, { name: 'acme' }]);
    expect(await errorCode(site.domains.discover())).toBe('DUPLICATE_DOMAIN');
    store.set([{ name: 'Bad!' }]);
    expect(await errorCode(site.domains.discover())).toBe('INVALID_DOMAIN_NAME');
    expect(site.domains.names()).toEqual(['_main_', 'acme']);
    expect(site.domains.findByHost('a.com')?.name).toBe('acme');
  });
});
