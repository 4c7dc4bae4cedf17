/**
 * Replaces the path of a request URL and keeps its query string: how the
 * adapters route a path-mode request (`/stores/acme/shop?page=2`) on its
 * clean path (`/shop?page=2`).
 *
 * @example
 * withPath('/stores/acme/shop?page=2', '/shop'); // '/shop?page=2'
 */
export function withPath(url: string, path: string): string {
  const q = url.indexOf('?');
  return q < 0 ? path : path + url.slice(q);
}
