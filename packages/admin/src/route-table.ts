import type { Awaitable } from '@md/core';
import type { HttpAnswer } from '@md/core/http';

/** A request to the admin API, as the adapters' hook hands it over. */
export interface AdminRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  headers: { get(name: string): string | null | undefined };
  query?: { get(name: string): string | null };
  /** The parsed JSON body, when there is one. */
  body?: unknown;
}

/** One admin route handler: gets the request and the route's parameters; answers an `HttpAnswer` or a JSON value. */
export type AdminHandler = (
  req: AdminRequest,
  params: Record<string, string>,
) => Awaitable<HttpAnswer | unknown>;

interface Route {
  method: string;
  segments: string[];
  handler: AdminHandler;
}

/** @internal The admin API's routes: `:name` segments become parameters; the first match wins. */
export class RouteTable {
  readonly #routes: Route[] = [];

  add(method: string, pattern: string, handler: AdminHandler): void {
    this.#routes.push({
      method: method.toUpperCase(),
      segments: pattern.split('/').filter(Boolean),
      handler,
    });
  }

  match(
    method: string,
    segments: string[],
  ): { handler: AdminHandler; params: Record<string, string> } | undefined {
    for (const route of this.#routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let matched = true;
      for (let i = 0; i < segments.length && matched; i++) {
        const want = route.segments[i]!;
        if (want.startsWith(':')) params[want.slice(1)] = segments[i]!;
        else matched = want === segments[i];
      }
      if (matched) return { handler: route.handler, params };
    }
    return undefined;
  }
}

/** True when a handler's value is already an answer (status, headers list, body). */
export function isAnswer(value: unknown): value is HttpAnswer {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as HttpAnswer).status === 'number' &&
    Array.isArray((value as HttpAnswer).headers) &&
    'body' in value
  );
}
