import { EventEmitter } from 'node:events';
import { setImmediate as immediate, setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createSite, getCurrentDomain, MdError, tryGetCurrentDomain } from '../src/index.js';

const names = Array.from({ length: 100 }, (_, i) => `d${String(i).padStart(3, '0')}`);

async function site(options: Parameters<typeof createSite>[0] = {}) {
  return createSite({ domains: names.map((name) => ({ name })), ...options });
}

describe('domain context', () => {
  it('survives await, setTimeout, setImmediate and EventEmitter callbacks', async () => {
    const s = await site();
    const seen: string[] = [];
    await s.run('d001', async () => {
      await Promise.resolve();
      seen.push(s.currentDomain);
      await sleep(5);
      seen.push(getCurrentDomain().name);
      await new Promise<void>((done) =>
        setTimeout(() => {
          seen.push(s.currentDomain);
          done();
        }, 2),
      );
      await new Promise<void>((done) =>
        setImmediate(() => {
          seen.push(s.currentDomain);
          done();
        }),
      );
      const emitter = new EventEmitter();
      const heard = new Promise<void>((done) =>
        emitter.on('ping', () => {
          seen.push(s.currentDomain);
          done();
        }),
      );
      setTimeout(() => emitter.emit('ping'), 1);
      await heard;
    });
    expect(seen).toEqual(['d001', 'd001', 'd001', 'd001', 'd001']);
  });

  it('keeps 1,000 interleaved runs over 100 domains apart under Promise.all', async () => {
    const s = await site();
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => {
        const name = names[i % names.length]!;
        return s.run(name, async () => {
          const observed: string[] = [];
          for (let step = 0; step < 4; step++) {
            if (step % 2 === 0) await sleep((i * 7 + step) % 5);
            else await immediate();
            observed.push(s.currentDomain, s.domain.name, getCurrentDomain().name);
          }
          return { expected: name, observed };
        });
      }),
    );
    const crossed = results.filter((r) => r.observed.some((n) => n !== r.expected));
    expect(crossed).toEqual([]);
    expect(results).toHaveLength(1000);
  });

  it('nested runs restore the outer domain, also after a throw', async () => {
    const s = await site();
    await s.run('d001', async () => {
      await s.run('d002', async () => {
        await sleep(1);
        expect(s.currentDomain).toBe('d002');
      });
      expect(s.currentDomain).toBe('d001');
      expect(() =>
        s.run('d003', () => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(s.currentDomain).toBe('d001');
    });
    expect(tryGetCurrentDomain()).toBeUndefined();
  });

  it('answers the root domain outside a run, or throws when strict', async () => {
    const relaxed = await site();
    expect(relaxed.currentDomain).toBe('_main_');
    expect(relaxed.tryGetDomain()).toBeUndefined();
    const strict = await site({ strict: true });
    expect(() => strict.currentDomain).toThrow(MdError);
    try {
      void strict.domain;
    } catch (error) {
      expect(MdError.is(error, 'NO_CURRENT_DOMAIN')).toBe(true);
    }
    expect(() => getCurrentDomain()).toThrowError(/site\.run/);
    expect(tryGetCurrentDomain()).toBeUndefined();
  });

  it('refuses an unknown domain in run with DOMAIN_NOT_FOUND', async () => {
    const s = await site();
    let caught: unknown;
    try {
      s.run('nope', () => 1);
    } catch (error) {
      caught = error;
    }
    expect(MdError.is(caught, 'DOMAIN_NOT_FOUND')).toBe(true);
    expect((caught as MdError).status).toBe(404);
  });

  it('keeps two sites apart: a run of one is not a domain of the other', async () => {
    const a = await site();
    const b = await createSite({ domains: [{ name: 'other' }] });
    a.run('d001', () => {
      expect(a.currentDomain).toBe('d001');
      expect(b.currentDomain).toBe('_main_');
    });
  });

  it('opens the entity manager lazily, once per run, and never outside a run', async () => {
    let opened = 0;
    const s = await createSite({
      domains: [{ name: 'acme' }],
      isolation: {
        name: 'counting',
        capabilities: {},
        init: async () => {},
        provision: async () => {},
        deprovision: async () => {},
        em: (domain) => {
          opened++;
          return { domain: domain.name };
        },
        close: async () => {},
      },
    });
    await s.run('acme', async () => {
      expect(s.emOpened).toBe(false);
      await sleep(1);
      expect(opened).toBe(0);
      expect(s.em).toEqual({ domain: 'acme' });
      expect(s.em).toBe(s.em);
      expect(s.emOpened).toBe(true);
    });
    expect(opened).toBe(1);
    expect(() => s.em).toThrowError(/needs a current domain/);
  });
});
