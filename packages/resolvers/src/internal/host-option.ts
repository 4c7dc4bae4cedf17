import { MdError, normalizeHost } from '@md/core';

/** Normalises a host given in options; a bad one is a configuration error, not a bad request. */
export function normalizeHostOption(host: string, option: string): string {
  try {
    return normalizeHost(host);
  } catch (error) {
    const reason = MdError.is(error) ? error.message : String(error);
    throw MdError.invalidOptions(`${option}: ${JSON.stringify(host)} is not a host name. ${reason}`);
  }
}
