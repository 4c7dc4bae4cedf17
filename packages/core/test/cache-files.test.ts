import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CacheBackend, createSite, MdError, memoryCacheBackend } from '../src/index.js';
import { tempDir } from './temp.js';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return MdError.is(error) ? error.code : `not an MdError: ${String(error)}`;
  }
  return undefined;
}

describe('domain.cache', () => {
  it('namespaces every key by domain: one domain never reads or clears another', async () => {
    const backend = memoryCacheBackend();
    const site = await createSite({ cache: backend, domains: [{ name: 'acme' }, { name: 'globex' }] });
    const acme = site.domains.get('acme')!.cache;
    const globex = site.domains.get('globex')!.cache;
    await acme.set('catalog', ['anvil']);
    await globex.set('catalog', ['widget']);
    expect(await acme.get('catalog')).toEqual(['anvil']);
    expect(await globex.get('catalog')).toEqual(['widget']);
    // Keys that try to name another domain's key stay inside their own namespace.
    for (const hostile of ['md:globex:catalog', '../globex:catalog', 'globex:catalog', ':catalog', '*']) {
      expect(await acme.get(hostile)).toBeUndefined();
    }
    expect(acme.keyOf('md:globex:catalog')).toBe('md:acme:md:globex:catalog');
    expect(await backend.get('md:globex:catalog')).toEqual(['widget']);
    await acme.clear();
    expect(await acme.get('catalog')).toBeUndefined();
    expect(await globex.get('catalog')).toEqual(['widget']);
    expect(await site.run('globex', () => site.domain.cache.getOrSet('catalog', () => ['x']))).toEqual([
      'widget',
    ]);
    expect(await site.run('acme', () => site.domain.cache.getOrSet('n', () => 7))).toBe(7);
  });

  it('clearing a domain whose name prefixes another leaves the other alone', async () => {
    const site = await createSite({ domains: [{ name: 'acm' }, { name: 'acme' }] });
    await site.domains.get('acm')!.cache.set('k', 1);
    await site.domains.get('acme')!.cache.set('k', 2);
    await site.domains.get('acm')!.cache.clear();
    expect(await site.domains.get('acme')!.cache.get('k')).toBe(2);
  });

  it('works over any pluggable backend', async () => {
    const seen: string[] = [];
    const map = new Map<string, unknown>();
    const backend: CacheBackend = {
      name: 'recording',
      get: (key) => map.get(key),
      set: (key, value) => {
        seen.push(key);
        map.set(key, value);
      },
      delete: (key) => void map.delete(key),
      deletePrefix: (prefix) => {
        for (const key of map.keys()) if (key.startsWith(prefix)) map.delete(key);
      },
    };
    const site = await createSite({ cache: backend, domains: [{ name: 'acme' }] });
    await site.domains.get('acme')!.cache.set('x', 1);
    expect(seen).toEqual(['md:acme:x']);
  });
});

describe('domain.files', () => {
  async function filesSite() {
    const root = tempDir('md-files-');
    const outside = tempDir('md-outside-');
    await writeFile(join(outside, 'secret.txt'), 'secret');
    const site = await createSite({
      filesRoot: join(root, 'files'),
      domains: [{ name: 'acme' }, { name: 'globex' }],
    });
    const acme = site.domains.get('acme')!.files;
    await acme.write('logo.txt', 'acme logo');
    await site.domains.get('globex')!.files.write('private.txt', 'globex only');
    await mkdir(join(acme.root, 'links'), { recursive: true });
    await symlink(outside, join(acme.root, 'links', 'out-dir'));
    await symlink(join(outside, 'secret.txt'), join(acme.root, 'links', 'out-file'));
    await symlink(join(outside, 'missing.txt'), join(acme.root, 'links', 'dangling'));
    await symlink(join(acme.root, 'logo.txt'), join(acme.root, 'links', 'inside'));
    return { site, acme, root, outside };
  }

  it('reads and writes under the domain root', async () => {
    const { acme, root } = await filesSite();
    expect(acme.root).toBe(join(root, 'files', 'acme'));
    expect(await acme.readText('logo.txt')).toBe('acme logo');
    const written = await acme.write('products/1/photo.txt', 'p1');
    expect(written).toBe(join(acme.root, 'products/1/photo.txt'));
    expect(await readFile(written, 'utf8')).toBe('p1');
    expect(await acme.readText('./products/../logo.txt')).toBe('acme logo');
    expect(await acme.readText('links/inside')).toBe('acme logo');
  });

  const hostile = [
    '../globex/private.txt',
    '../../etc/passwd',
    '..',
    '../',
    'products/../../globex/private.txt',
    './../acme2/x',
    '/etc/passwd',
    '/tmp',
    'C:\\Windows\\win.ini',
    'c:/windows/win.ini',
    '\\\\server\\share',
    '..\\globex\\private.txt',
    'logo.txt\0.png',
    '',
    '.',
    'links/out-dir/secret.txt',
    'links/out-file',
    'links/dangling',
    'links/out-dir/new-file.txt',
    'a/b/../../../globex/private.txt',
  ];

  it.each(hostile)('refuses the escaping path %j with PATH_ESCAPE', async (path) => {
    const { acme } = await filesSite();
    expect(await codeOf(acme.readText(path))).toBe('PATH_ESCAPE');
    expect(await codeOf(acme.write(path, 'x'))).toBe('PATH_ESCAPE');
  });

  it('never wrote through a refused path', async () => {
    const { acme, outside } = await filesSite();
    await codeOf(acme.write('links/out-dir/new-file.txt', 'x'));
    await codeOf(acme.write('links/dangling', 'x'));
    expect(await codeOf(readFile(join(outside, 'new-file.txt')))).toMatch(/ENOENT/);
    expect(await codeOf(readFile(join(outside, 'missing.txt')))).toMatch(/ENOENT/);
  });
});
