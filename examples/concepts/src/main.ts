// The runnable example of docs/concepts.md: a site, three domains, a resolver,
// a service and preferences, all without a web framework or a database.
import { setTimeout as sleep } from 'node:timers/promises';
import { createSite, type DomainResolver, getCurrentDomain, type RequestLike } from '@md/core';

/** A resolver is a plain object with a unique name (here: the host's first label). */
const firstLabel: DomainResolver = {
  name: 'first-label',
  resolve(_req, ctx) {
    const code = ctx.host.split('.')[0] ?? '';
    return ctx.domains.has(code) ? { domain: code, via: 'first-label' } : undefined;
  },
};

export async function main(log: (line: string) => void = console.log): Promise<string[]> {
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    log(line);
  };

  const site = await createSite({
    resolvers: [firstLabel],
    rootHosts: ['localhost'],
    root: { preferences: { locale: 'en-GB', currency: 'GBP' } },
    domains: [
      { name: 'acme', preferences: { currency: 'USD' }, branding: { name: 'Acme Outfitters' } },
      { name: 'globex', preferences: { locale: 'de-DE' }, branding: { name: 'Globex' } },
      { name: 'initech', status: 'suspended' },
    ],
  });

  // A service: one instance per (service, domain), built from that domain's preferences.
  site.services.register('money', (domain) => {
    const format = new Intl.NumberFormat(String(domain.preferences.get('locale')), {
      style: 'currency',
      currency: String(domain.preferences.get('currency')),
    });
    return { format: (n: number) => format.format(n) };
  });

  // What an adapter does for each request: resolve, then run the rest inside the domain.
  for (const host of [
    'acme.localhost',
    'globex.localhost',
    'localhost',
    'initech.localhost',
    'nobody.localhost',
  ]) {
    const request: RequestLike = {
      host,
      path: '/',
      headers: { get: () => undefined },
      query: new URLSearchParams(),
      cookies: {},
      kind: 'custom',
    };
    try {
      const resolved = await site.resolve(request);
      await site.runResolved(resolved, async () => {
        await sleep(1); // the domain follows every await
        const domain = getCurrentDomain();
        const money = domain.service<{ format(n: number): string }>('money');
        say(`${host} -> ${site.currentDomain} (${domain.branding.name ?? 'root'}): ${money.format(1234.5)}`);
      });
    } catch (error) {
      const { code, status } = error as { code: string; status: number };
      say(`${host} -> ${status} ${code}`);
    }
  }
  await site.close();
  return lines;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  await main();
}
