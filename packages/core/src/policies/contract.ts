import type { DomainLookup } from '../domains/lookup.js';
import type { HeaderList } from '../errors/md-error.js';
import type { ResolvedRequest } from '../resolution/contracts.js';
import type { Awaitable } from '../util/awaitable.js';

/**
 * What a policy's check answers: headers to add, or nothing. `void` is meant:
 * a check that only throws is written without a `return`.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a check with no return statement returns void
export type PolicyAnswer = HeaderList | undefined | void;

/** Facts a policy may consult besides the resolved request. */
export interface PolicyContext {
  readonly domains: DomainLookup;
}

/**
 * A policy plugin: a check on a resolved request, run in the order of the
 * site's `policies` list after resolution. It refuses a request by throwing
 * an `MdError` (which carries the headers its answer needs), and may answer
 * headers to add to an admitted request's response. A policy that answers
 * synchronously keeps resolution synchronous.
 *
 * @example
 * const weekdaysOnly: DomainPolicy = {
 *   name: 'weekdays-only',
 *   check: ({ domain }) => {
 *     if ([0, 6].includes(new Date().getDay())) throw MdError.domainUnavailable(domain.name, 'suspended');
 *   },
 * };
 * await createSite({ policies: [availability(), weekdaysOnly] });
 */
export interface DomainPolicy {
  readonly name: string;
  check(request: ResolvedRequest, ctx: PolicyContext): Awaitable<PolicyAnswer>;
  /** Called when a domain is updated or removed, to forget what the policy keeps for it. */
  release?(domain: string): Awaitable<void>;
}
