import { randomBytes, randomUUID } from 'node:crypto';
import { assertFeature, assertSessionDomain, cookieOptions, MdError, type Site } from '@md/core';
import { serializeCookie, toHttpAnswer } from '@md/core/http';
import type { Observability } from '@md/observability';
import type { SqlEntityManager } from '@mikro-orm/sql';
import bcrypt from 'bcryptjs';
import type { StorefrontEntities } from './entities.js';
import { html, type SafeHtml } from './html.js';
import { adminPage, errorPage, homePage, loginPage, reportsPage } from './views.js';

/** The request as every framework binding hands it over (path: the clean path). */
export interface AppRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Reads the urlencoded form body (lazily: only POST routes ask for it). */
  form(): Promise<Record<string, string>>;
  cookies: Record<string, string | undefined>;
}

/** The answer every framework binding writes out as is. */
export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  cookies: string[];
  body: string;
}

export const SESSION_COOKIE = 'sid';
const SESSION_MS = 8 * 60 * 60 * 1000;

/**
 * The storefront, written once and served by Express, Fastify or Koa: every
 * handler runs inside the request's domain, so `site.em` is that domain's
 * data, `site.domain` its branding, preferences and features.
 */
export function createApp(
  site: Site<SqlEntityManager>,
  obs: Observability,
  entities: StorefrontEntities,
  bcryptCost = 10,
) {
  const { User, Session, Product, Order } = entities;

  const reply = (status: number, body: SafeHtml | string, extra: Partial<AppResponse> = {}): AppResponse => ({
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', ...extra.headers },
    cookies: extra.cookies ?? [],
    body: String(body),
  });
  const json = (status: number, value: unknown): AppResponse => ({
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    cookies: [],
    body: JSON.stringify(value),
  });
  /** Links inside this domain: in path mode every URL keeps the /stores/<code> prefix. */
  const base = () => {
    const cookiePath = site.request?.cookiePath ?? '/';
    return cookiePath === '/' ? '' : cookiePath;
  };
  const redirect = (to: string, cookies: string[] = []): AppResponse => ({
    status: 303,
    headers: { location: `${base()}${to}` },
    cookies,
    body: '',
  });
  const sessionCookie = (value: string, maxAgeMs: number) =>
    serializeCookie(SESSION_COOKIE, value, { ...cookieOptions(), maxAge: maxAgeMs / 1000 });

  async function currentUser(req: AppRequest) {
    const sid = req.cookies[SESSION_COOKIE];
    if (sid === undefined || sid === '') return undefined;
    const session = await site.em.findOne(Session, { id: sid }, { populate: ['user'] });
    if (session === null) return undefined;
    if (session.expiresAt.getTime() < Date.now()) {
      await site.em.nativeDelete(Session, { id: sid });
      return undefined;
    }
    assertSessionDomain({ domain: session.domain, user: session.user.username });
    return session.user;
  }

  async function startSession(user: { id: string }) {
    const id = randomBytes(32).toString('hex');
    site.em.create(Session, {
      id,
      user: site.em.getReference(User, user.id),
      domain: site.currentDomain,
      expiresAt: new Date(Date.now() + SESSION_MS),
    });
    await site.em.flush();
    return sessionCookie(id, SESSION_MS);
  }

  async function credentials(req: AppRequest) {
    const form = await req.form();
    const username = (form.username ?? '').trim();
    const password = form.password ?? '';
    if (!/^[a-zA-Z0-9_.-]{2,64}$/.test(username)) {
      throw MdError.invalidRequest('a user name is 2 to 64 letters, digits, ".", "_" or "-"');
    }
    if (password.length < 8 || password.length > 200) {
      throw MdError.invalidRequest('a password is 8 to 200 characters');
    }
    return { username, password };
  }

  const domainRoutes: Record<string, (req: AppRequest) => Promise<AppResponse>> = {
    'GET /': async (req) => {
      const user = await currentUser(req);
      const products = await site.em.find(Product, {}, { orderBy: { name: 'asc' } });
      const orders = user ? await site.em.find(Order, { user: user.id }, { populate: ['product'] }) : [];
      return reply(200, homePage({ domain: site.domain, base: base(), user, products, orders }));
    },
    'GET /login': async (req) =>
      reply(
        200,
        loginPage({ domain: site.domain, base: base(), mode: 'login', user: await currentUser(req) }),
      ),
    'GET /signup': async (req) =>
      reply(
        200,
        loginPage({ domain: site.domain, base: base(), mode: 'signup', user: await currentUser(req) }),
      ),
    'POST /signup': async (req) => {
      const { username, password } = await credentials(req);
      if ((await site.em.count(User, { username })) > 0) {
        return reply(
          409,
          loginPage({
            domain: site.domain,
            base: base(),
            mode: 'signup',
            error: `"${username}" is taken here.`,
          }),
        );
      }
      const user = site.em.create(User, {
        id: randomUUID(),
        username,
        passwordHash: await bcrypt.hash(password, bcryptCost),
        createdAt: new Date(),
      });
      await site.em.flush();
      obs.log.info({ user: username }, 'user signed up');
      return redirect('/', [await startSession(user)]);
    },
    'POST /login': async (req) => {
      const { username, password } = await credentials(req);
      const user = await site.em.findOne(User, { username });
      if (user === null || !(await bcrypt.compare(password, user.passwordHash))) {
        return reply(
          401,
          loginPage({
            domain: site.domain,
            base: base(),
            mode: 'login',
            error: 'Wrong user name or password.',
          }),
        );
      }
      obs.log.info({ user: username }, 'user logged in');
      return redirect('/', [await startSession(user)]);
    },
    'POST /logout': async (req) => {
      const sid = req.cookies[SESSION_COOKIE];
      if (sid) await site.em.nativeDelete(Session, { id: sid });
      return redirect('/', [sessionCookie('', 0)]);
    },
    'POST /orders': async (req) => {
      const user = await currentUser(req);
      if (user === undefined) return redirect('/login');
      const form = await req.form();
      const product = await site.em.findOne(Product, { id: form.productId ?? '' });
      const qty = Number(form.qty ?? '1');
      if (product === null || !Number.isInteger(qty) || qty < 1 || qty > 99) {
        throw MdError.invalidRequest('choose a product of this store and a quantity from 1 to 99');
      }
      site.em.create(Order, {
        id: randomUUID(),
        product,
        user: site.em.getReference(User, user.id),
        qty,
        createdAt: new Date(),
      });
      await site.em.flush();
      return redirect('/');
    },
    'GET /reports': async () => {
      assertFeature('reports');
      const orders = await site.em.find(Order, {}, { populate: ['product'] });
      return reply(200, reportsPage({ domain: site.domain, base: base(), orders }));
    },
    'GET /logo.svg': async () => ({
      status: 200,
      headers: { 'content-type': 'image/svg+xml', 'cache-control': 'no-cache' },
      cookies: [],
      body: await site.domain.files.readText('logo.svg'),
    }),
    'GET /api/me': async (req) => {
      const user = await currentUser(req);
      return json(200, {
        domain: site.currentDomain,
        user: user ? { id: user.id, username: user.username } : null,
      });
    },
    'GET /api/products': async () =>
      json(200, {
        domain: site.currentDomain,
        products: await site.em.find(Product, {}, { orderBy: { name: 'asc' } }),
      }),
    'GET /api/domain': async () => {
      const d = site.domain;
      return json(200, { ...d.toJSON(), features: [...d.features], preferences: d.preferences.all() });
    },
  };

  const rootRoutes: Record<string, (req: AppRequest) => Promise<AppResponse>> = {
    'GET /': async () => reply(200, adminPage({ site })),
    'GET /api/domains': async () =>
      json(200, {
        domains: [...site.domains]
          .filter((d) => !d.isRoot)
          .map((d) => ({ ...d.toJSON(), features: [...d.features] })),
      }),
  };

  return {
    /** The current domain's logger (every line names the domain). */
    log: () => obs.log,
    /** Answers one request; call it inside the request's domain (the md adapters do). */
    async handle(req: AppRequest): Promise<AppResponse> {
      const routes = site.domain.isRoot ? rootRoutes : domainRoutes;
      const route = routes[`${req.method} ${req.path}`];
      try {
        if (route === undefined) throw MdError.routeNotFound(req.method, req.path);
        return await route(req);
      } catch (error) {
        const { status, body } = toHttpAnswer(error);
        if (status === 500) obs.log.error({ err: error }, 'request failed');
        if (req.path.startsWith('/api/')) return json(status, body);
        return reply(status, errorPage({ domain: site.domain, base: base(), status, ...body.error }));
      }
    },
  };
}

export type StorefrontApp = ReturnType<typeof createApp>;

/** Renders a small SVG logo in the domain's colour; provisioning writes it into `domain.files`. */
export function logoSvg(initial: string, color: string): string {
  return String(
    html`<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="${color}"/><text x="32" y="43" font-family="sans-serif" font-size="30" font-weight="bold" fill="#fff" text-anchor="middle">${initial}</text></svg>`,
  );
}
