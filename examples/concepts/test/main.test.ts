import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

describe('the concepts example', () => {
  it('prints what docs/concepts.md says it prints', async () => {
    const lines = await main(() => {});
    expect(lines).toEqual([
      'acme.localhost -> acme (Acme Outfitters): US$1,234.50',
      'globex.localhost -> globex (Globex): 1.234,50\u00a0£',
      'localhost -> _main_ (root): £1,234.50',
      'initech.localhost -> 403 DOMAIN_SUSPENDED',
      'nobody.localhost -> 404 DOMAIN_NOT_FOUND',
    ]);
  });
});
