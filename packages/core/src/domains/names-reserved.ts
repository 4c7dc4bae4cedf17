import { MdError } from '../errors/md-error.js';
import type { Reservations } from '../resolution/contracts.js';
import { normalizeHost } from './names.js';

/** What a definition's hosts are checked against: who keeps a host for the platform, if anyone. */
export interface ReservedHosts {
  /** Who keeps `host` (already normalised), e.g. `the site's rootHosts`; undefined when nobody does. */
  keeperOf(host: string): string | undefined;
}

/**
 * @internal The platform's hosts, gathered once when the site is built from
 * `rootHosts`, every resolver's and every plugin's `reserved`: exact hosts
 * and base domains (the host and everything under it). Read only when a
 * domain is registered or updated, never per request.
 */
export class PlatformReservations implements ReservedHosts {
  readonly #hosts = new Map<string, string>();
  readonly #domains = new Map<string, string>();

  /** Adds what `by` (`'rootHosts'`, `'resolver "subdomain"'`…) keeps; a bad host is `INVALID_OPTIONS`. */
  add(by: string, reserved: Reservations | undefined): void {
    if (reserved === undefined) return;
    for (const host of reserved.hosts ?? []) this.#hosts.set(hostOf(by, host), by);
    for (const host of reserved.domains ?? []) this.#domains.set(hostOf(by, host), by);
  }

  keeperOf(host: string): string | undefined {
    const exact = this.#hosts.get(host) ?? this.#domains.get(host);
    if (exact !== undefined || this.#domains.size === 0) return exact;
    for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
      const by = this.#domains.get(host.slice(dot + 1));
      if (by !== undefined) return by;
    }
    return undefined;
  }
}

function hostOf(by: string, host: string): string {
  try {
    return normalizeHost(host);
  } catch (error) {
    throw MdError.invalidOptions(`${by} reserves ${JSON.stringify(host)}, which is not a host name`, error);
  }
}
