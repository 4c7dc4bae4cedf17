import type { DomainProxy, Site } from '@md/core';
import type { Order, Product, User } from './entities.js';
import { html, type SafeHtml } from './html.js';

interface PageContext {
  domain: DomainProxy;
  /** URL prefix of this domain: '' on its own host, '/stores/<code>' in path mode. */
  base: string;
}

function money(domain: DomainProxy, cents: number): string {
  const locale = String(domain.preferences.get('locale') ?? 'en-GB');
  const currency = String(domain.preferences.get('currency') ?? 'GBP');
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(cents / 100);
}

function layout(
  { domain, base }: PageContext,
  title: string,
  user: User | undefined,
  body: SafeHtml,
): SafeHtml {
  const brand = domain.branding;
  const color = brand.primaryColor ?? '#334155';
  return html`<!doctype html>
<html lang="${String(domain.preferences.get('locale') ?? 'en-GB')}">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${brand.name ?? domain.name}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; color: #1e293b; background: #f8fafc; }
  header { background: ${color}; color: #fff; padding: 14px 24px; display: flex; align-items: center; gap: 14px; }
  header img { width: 40px; height: 40px; border-radius: 8px; background: #fff2; }
  header h1 { font-size: 20px; margin: 0; flex: 1; }
  header a, header button { color: #fff; background: none; border: 1px solid #fff8; border-radius: 6px; padding: 5px 10px; text-decoration: none; font: inherit; cursor: pointer; }
  main { max-width: 760px; margin: 24px auto; padding: 0 16px; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  td, th { border-bottom: 1px solid #e2e8f0; padding: 8px; text-align: left; }
  .card { background: #fff; border: 1px solid #e2e8f0; border-radius: 10px; padding: 16px; margin-bottom: 16px; }
  .error { color: #b91c1c; }
  input { padding: 6px; margin: 4px 0 10px; width: 240px; }
  .accent { color: ${color}; }
</style>
</head>
<body>
<header>
  <img src="${base}/logo.svg" alt="logo">
  <h1 data-testid="brand">${brand.name ?? domain.name}</h1>
  ${
    user
      ? html`<span data-testid="whoami">${user.username}</span>
        <form method="post" action="${base}/logout" style="margin:0"><button data-testid="logout">Log out</button></form>`
      : html`<span data-testid="whoami">not logged in</span><a href="${base}/login">Log in</a><a href="${base}/signup">Sign up</a>`
  }
</header>
<main>${body}</main>
</body>
</html>`;
}

export function homePage(
  ctx: PageContext & { user: User | undefined; products: Product[]; orders: Order[] },
): SafeHtml {
  const { domain, base, user, products, orders } = ctx;
  return layout(
    ctx,
    'Shop',
    user,
    html`<div class="card">
  <h2 class="accent">Products</h2>
  <table data-testid="products">
    <tr><th>Product</th><th>Price</th><th></th></tr>
    ${products.map(
      (p) =>
        html`<tr><td>${p.name}</td><td>${money(domain, p.priceCents)}</td><td>${
          user
            ? html`<form method="post" action="${base}/orders" style="margin:0"><input type="hidden" name="productId" value="${p.id}"><input type="hidden" name="qty" value="1"><button data-testid="order-${p.name}">Order</button></form>`
            : ''
        }</td></tr>`,
    )}
  </table>
</div>
${
  user
    ? html`<div class="card"><h2>Your orders</h2><ul data-testid="orders">${orders.map(
        (o) => html`<li>${o.qty} × ${o.product.name}</li>`,
      )}</ul></div>`
    : ''
}
<div class="card">
  <p>Locale <b data-testid="locale">${String(domain.preferences.get('locale'))}</b>, currency <b data-testid="currency">${String(domain.preferences.get('currency'))}</b>.</p>
  ${domain.hasFeature('reports') ? html`<p><a data-testid="reports-link" href="${base}/reports">Sales reports</a></p>` : ''}
</div>`,
  );
}

export function loginPage(
  ctx: PageContext & { mode: 'login' | 'signup'; user?: User | undefined; error?: string },
): SafeHtml {
  const { base, mode, error } = ctx;
  const title = mode === 'login' ? 'Log in' : 'Sign up';
  return layout(
    ctx,
    title,
    ctx.user,
    html`<div class="card">
  <h2>${title} to ${ctx.domain.branding.name ?? ctx.domain.name}</h2>
  ${error ? html`<p class="error" data-testid="error">${error}</p>` : ''}
  <form method="post" action="${base}/${mode}">
    <label>User name<br><input name="username" autocomplete="username" required></label><br>
    <label>Password<br><input name="password" type="password" autocomplete="${mode === 'login' ? 'current-password' : 'new-password'}" required minlength="8"></label><br>
    <button data-testid="submit">${title}</button>
  </form>
</div>`,
  );
}

export function reportsPage(ctx: PageContext & { orders: Order[] }): SafeHtml {
  const totals = new Map<string, number>();
  for (const o of ctx.orders) totals.set(o.product.name, (totals.get(o.product.name) ?? 0) + o.qty);
  return layout(
    ctx,
    'Reports',
    undefined,
    html`<div class="card"><h2>Units sold</h2><table data-testid="report">${[...totals].map(
      ([name, qty]) => html`<tr><td>${name}</td><td>${qty}</td></tr>`,
    )}</table></div>`,
  );
}

export function errorPage(ctx: PageContext & { status: number; code: string; message: string }): SafeHtml {
  return layout(
    ctx,
    String(ctx.status),
    undefined,
    html`<div class="card"><h2 class="error" data-testid="error-code">${ctx.status} ${ctx.code}</h2><p>${ctx.message}</p><p><a href="${ctx.base}/">Back</a></p></div>`,
  );
}

export function adminPage({ site }: { site: Site<unknown> }): SafeHtml {
  const domains = [...site.domains].filter((d) => !d.isRoot);
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>md storefront — domains</title>
<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:24px auto;color:#1e293b}td,th{padding:8px;border-bottom:1px solid #e2e8f0;text-align:left}</style></head>
<body><h1>md storefront</h1><p>One deployment, ${domains.length} isolated domains.</p>
<table data-testid="domains"><tr><th>Domain</th><th>Name</th><th>Status</th><th>Where</th><th>Features</th></tr>
${domains.map(
  (d) =>
    html`<tr><td>${d.name}</td><td>${d.branding.name ?? ''}</td><td>${d.status}</td><td>${
      d.hosts.length > 0 ? d.hosts.join(', ') : `/stores/${d.name}/`
    }</td><td>${[...d.features].join(', ')}</td></tr>`,
)}
</table></body></html>`;
}
