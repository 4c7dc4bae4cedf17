import type { ResolvedRequest } from '../resolution/contracts.js';
import type { Awaitable } from '../util/awaitable.js';
import type { DomainPolicy, PolicyAnswer, PolicyContext } from './contract.js';

/**
 * Runs each policy's `check` in order and answers the request with the
 * headers they added (the same object when none did). Synchronous for as
 * long as the policies answer synchronously.
 */
export function admit(
  policies: readonly DomainPolicy[],
  request: ResolvedRequest,
  ctx: PolicyContext,
  from = 0,
): Awaitable<ResolvedRequest> {
  let current = request;
  for (let i = from; i < policies.length; i++) {
    const answer = policies[i]!.check(current, ctx);
    if (answer instanceof Promise) return admitLater(answer, policies, current, ctx, i + 1);
    current = withHeaders(current, answer);
  }
  return current;
}

// Apart, so the synchronous path allocates no context for closures it never makes.
function admitLater(
  answer: Promise<PolicyAnswer>,
  policies: readonly DomainPolicy[],
  request: ResolvedRequest,
  ctx: PolicyContext,
  next: number,
): Promise<ResolvedRequest> {
  return answer.then((headers) => admit(policies, withHeaders(request, headers), ctx, next));
}

function withHeaders(request: ResolvedRequest, headers: PolicyAnswer): ResolvedRequest {
  if (headers === undefined || headers.length === 0) return request;
  return { ...request, headers: [...request.headers, ...headers] };
}
