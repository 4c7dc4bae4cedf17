import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@md/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/servers.js';
import { createStorefront, type Storefront } from '../src/site.js';

const OUTPUT = fileURLToPath(new URL('../test-output', import.meta.url));

/** Debian's Chromium, as the machine installs it (`apt-get install chromium`). */
const CHROMIUM = process.env.MD_CHROMIUM ?? '/usr/bin/chromium';

describe('the storefront in a real browser (Chromium)', () => {
  let storefront: Storefront;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    await mkdir(OUTPUT, { recursive: true });
    storefront = await createStorefront({
      dataDir: tempDir('md-browser-'),
      bcryptCost: 4,
    });
    server = await startServer('fastify', storefront.site, storefront.app);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await storefront?.site.close();
  });

  const url = (host: string, path = '/') => `http://${host}:${server.port}${path}`;

  async function signUp(page: Page, host: string, prefix: string, username: string, password: string) {
    await page.goto(url(host, `${prefix}/signup`));
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForURL(url(host, `${prefix}/`)), page.click('[data-testid=submit]')]);
  }

  async function logIn(page: Page, host: string, username: string, password: string) {
    await page.goto(url(host, '/login'));
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await page.click('[data-testid=submit]');
  }

  it('keeps sessions, users, data and branding apart between acme.localhost and globex.localhost', async () => {
    const context = await browser.newContext({ viewport: { width: 760, height: 560 } });
    const page = await context.newPage();

    await signUp(page, 'acme.localhost', '', 'alice', 'acme-secret-1');
    expect(await page.textContent('[data-testid=whoami]')).toBe('alice');
    expect(await page.textContent('[data-testid=brand]')).toBe('Acme Outfitters');
    await page.click('[data-testid="order-Anvil"]');
    await page.waitForSelector('[data-testid=orders] li');
    expect(await page.textContent('[data-testid=orders]')).toContain('1 × Anvil');
    await page.screenshot({ path: join(OUTPUT, 'acme.png') });

    // Same browser, other domain: logged out there.
    await page.goto(url('globex.localhost'));
    expect(await page.textContent('[data-testid=whoami]')).toBe('not logged in');
    expect(await page.textContent('[data-testid=brand]')).toBe('Globex Corporation');
    // acme's credentials mean nothing on globex.
    await logIn(page, 'globex.localhost', 'alice', 'acme-secret-1');
    expect(await page.textContent('[data-testid=error]')).toContain('Wrong user name or password');
    // A different user with the same name.
    await signUp(page, 'globex.localhost', '', 'alice', 'globex-secret-2');
    expect(await page.textContent('[data-testid=whoami]')).toBe('alice');
    const globexProducts = await page.textContent('[data-testid=products]');
    expect(globexProducts).toContain('Hammock');
    expect(globexProducts).not.toContain('Anvil');
    expect(await page.locator('[data-testid=orders] li').count()).toBe(0);
    expect(await page.locator('[data-testid=reports-link]').count()).toBe(0);
    await page.screenshot({ path: join(OUTPUT, 'globex.png') });

    // Back on acme: still acme's alice, with acme's order, products and branding.
    await page.goto(url('acme.localhost'));
    expect(await page.textContent('[data-testid=whoami]')).toBe('alice');
    expect(await page.textContent('[data-testid=orders]')).toContain('1 × Anvil');
    expect(await page.textContent('[data-testid=products]')).not.toContain('Hammock');

    // Two host-only cookies, one per host, never a parent domain.
    const cookies = await context.cookies();
    expect(cookies.map((c) => [c.name, c.domain, c.path, c.httpOnly]).sort()).toEqual([
      ['sid', 'acme.localhost', '/', true],
      ['sid', 'globex.localhost', '/', true],
    ]);
    expect(cookies[0]!.value).not.toBe(cookies[1]!.value);

    // Logging out of globex leaves acme logged in.
    await page.goto(url('globex.localhost'));
    await Promise.all([page.waitForURL(url('globex.localhost', '/')), page.click('[data-testid=logout]')]);
    expect(await page.textContent('[data-testid=whoami]')).toBe('not logged in');
    await page.goto(url('acme.localhost'));
    expect(await page.textContent('[data-testid=whoami]')).toBe('alice');

    await sideBySide(await readFile(join(OUTPUT, 'acme.png')), await readFile(join(OUTPUT, 'globex.png')));
    await context.close();
  });

  it('scopes the session cookie to /stores/initech in path mode', async () => {
    const context = await browser.newContext({ viewport: { width: 760, height: 560 } });
    const page = await context.newPage();
    await signUp(page, 'localhost', '/stores/initech', 'alice', 'initech-secret-3');
    expect(await page.textContent('[data-testid=whoami]')).toBe('alice');
    expect(await page.textContent('[data-testid=brand]')).toBe('Initech Supplies');
    expect(await page.textContent('[data-testid=products]')).toContain('Red Stapler');
    await page.screenshot({ path: join(OUTPUT, 'initech-path-mode.png') });
    const cookies = await context.cookies();
    expect(cookies.map((c) => [c.name, c.domain, c.path])).toEqual([['sid', 'localhost', '/stores/initech']]);
    // The root domain on the same host is not logged in and lists the domains.
    await page.goto(url('localhost'));
    expect(await page.textContent('[data-testid=domains]')).toContain('initech');
    await page.screenshot({ path: join(OUTPUT, 'root-domain.png') });
    // Links inside the store keep the prefix: log out through the page's own form.
    await page.goto(url('localhost', '/stores/initech/'));
    await Promise.all([
      page.waitForURL(url('localhost', '/stores/initech/')),
      page.click('[data-testid=logout]'),
    ]);
    expect(await page.textContent('[data-testid=whoami]')).toBe('not logged in');
    await context.close();
  });

  /** Renders the two screenshots next to each other for the README. */
  async function sideBySide(left: Buffer, right: Buffer) {
    const page = await browser.newPage({ viewport: { width: 1540, height: 600 } });
    const img = (b: Buffer, caption: string) =>
      `<figure style="margin:0 10px"><img style="border:1px solid #cbd5e1;width:760px" src="data:image/png;base64,${b.toString('base64')}"><figcaption style="font:14px system-ui;padding:6px 0">${caption}</figcaption></figure>`;
    await page.setContent(
      `<body style="margin:10px 0;display:flex;background:#fff">${img(left, 'http://acme.localhost — alice is logged in, sees acme’s catalogue in USD')}${img(right, 'http://globex.localhost — the same browser: another alice, globex’s catalogue in EUR')}</body>`,
    );
    const shot = await page.screenshot({ fullPage: true });
    // docs/images/two-domains.png (the README's picture) is a copy of this file.
    await writeFile(join(OUTPUT, 'two-domains.png'), shot);
    await page.close();
  }
});
