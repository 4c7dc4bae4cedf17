import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toHttpAnswer } from '../src/http/index.js';
import { ERROR_STATUS, MdError } from '../src/index.js';

const doc = readFileSync(fileURLToPath(new URL('../../../docs/errors.md', import.meta.url)), 'utf8');
const rows = [...doc.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map(
  (m) => [m[1]!, Number(m[2])] as const,
);

describe('docs/errors.md', () => {
  it('lists every error code with its status, and nothing else', () => {
    expect(Object.fromEntries(rows)).toEqual(ERROR_STATUS);
    expect(rows.length).toBe(Object.keys(ERROR_STATUS).length);
  });

  it('maps each code to its status through the one table', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      const error = new MdError(code as keyof typeof ERROR_STATUS, 'x');
      expect([error.status, toHttpAnswer(error).status]).toEqual([status, status]);
    }
    expect(toHttpAnswer(new Error('not an MdError')).status).toBe(500);
  });

  it('named constructors give their codes, causes and fixing advice', () => {
    const cause = new Error('disk');
    const error = MdError.storeUnavailable('json-file:/x', cause);
    expect([error.code, error.cause, error instanceof Error]).toEqual(['STORE_UNAVAILABLE', cause, true]);
    expect(MdError.domainNotFound('acme').message).toMatch(/site\.domains\.register/);
    expect(MdError.invalidDomainName('A!').message).toMatch(/lower-case/);
    expect(MdError.confirmationRequired('Deprovisioning', 'acme').message).toMatch(/confirm: "acme"/);
    const limited = MdError.rateLimited('acme', 5, 2, 3);
    expect([limited.status, limited.headers, toHttpAnswer(limited).headers]).toEqual([
      429,
      [['retry-after', '3']],
      [['retry-after', '3']],
    ]);
  });
});
