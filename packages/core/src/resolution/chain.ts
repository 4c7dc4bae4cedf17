import type { Awaitable } from '../util/awaitable.js';
import type { DomainResolver, RequestLike, Resolution, ResolveContext } from './contracts.js';

/**
 * Asks each resolver in order; the first answer wins. Stays synchronous for
 * as long as the resolvers answer synchronously, so a chain of synchronous
 * resolvers costs no promise.
 */
export function runChain(
  resolvers: readonly DomainResolver[],
  req: RequestLike,
  ctx: ResolveContext,
  from = 0,
): Awaitable<Resolution | undefined> {
  for (let i = from; i < resolvers.length; i++) {
    const answer = resolvers[i]!.resolve(req, ctx);
    if (answer instanceof Promise) return chainLater(answer, resolvers, req, ctx, i + 1);
    if (answer !== undefined) return answer;
  }
  return undefined;
}

// Apart, so the synchronous chain allocates no context for closures it never makes.
function chainLater(
  answer: Promise<Resolution | undefined>,
  resolvers: readonly DomainResolver[],
  req: RequestLike,
  ctx: ResolveContext,
  next: number,
): Promise<Resolution | undefined> {
  return answer.then((a) => a ?? runChain(resolvers, req, ctx, next));
}
