import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as http from '../src/http/index.js';
import * as core from '../src/index.js';

const packages = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('the shape of @md/core', () => {
  it('exports at most 30 runtime names to app developers, and the adapter-author API under ./http', () => {
    const names = Object.keys(core).sort();
    expect(names.length).toBeLessThanOrEqual(30);
    expect(names).toContain('createSite');
    expect(names).not.toContain('handleRequest');
    expect(Object.keys(http).sort()).toEqual([
      'DEFAULT_JSON_LIMIT',
      'fromNodeRequest',
      'handleRequest',
      'locateEarly',
      'parseCookieHeader',
      'readJsonBody',
      'readRequestBody',
      'serializeCookie',
      'takeEarly',
      'toHttpAnswer',
      'withPath',
    ]);
  });

  it('builds every error of every package through a named constructor', () => {
    const bare = readdirSync(packages)
      .flatMap((name) => {
        try {
          return sources(join(packages, name, 'src'));
        } catch {
          return [];
        }
      })
      .filter((file) => !file.endsWith(join('errors', 'md-error.ts')))
      .filter((file) => /new MdError\(|extends MdError\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(packages, file));
    expect(bare).toEqual([]);
  });
});
