import { pino } from 'pino';

/**
 * The logger md writes through: pino's shape (`child`, `info`, `warn`…), so
 * pino itself, Fastify's `request.log` or any logger with the same methods fits.
 *
 * @example
 * const logger: MdLogger = pino({ level: 'debug' });
 */
export interface MdLogger {
  child(bindings: Record<string, unknown>): MdLogger;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

/**
 * The default logger: pino, JSON lines on stdout, level from `MD_LOG_LEVEL` (default `info`).
 *
 * @example
 * const logger = createDefaultLogger(); // MD_LOG_LEVEL=silent turns it off
 */
export function createDefaultLogger(): MdLogger {
  return pino({ level: process.env.MD_LOG_LEVEL ?? 'info', base: undefined }) as unknown as MdLogger;
}
