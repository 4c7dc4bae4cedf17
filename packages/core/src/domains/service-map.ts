/**
 * Map service names to their types for typed `domain.service(name)`, by
 * module augmentation.
 *
 * @example
 * declare module '@md/core' {
 *   interface ServiceMap { mailer: Mailer }
 * }
 * site.domain.service('mailer'); // Mailer
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by module augmentation
export interface ServiceMap {}
