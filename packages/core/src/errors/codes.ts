/**
 * Every error md raises, with the HTTP status each one maps to. This table is
 * the single source of truth: an `MdError`'s `status` and every adapter's
 * answer come from it, and `docs/errors.md` lists exactly these codes (a test
 * keeps the two in sync).
 *
 * @example
 * ERROR_STATUS.DOMAIN_NOT_FOUND; // 404
 */
export const ERROR_STATUS = {
  // registry and configuration
  INVALID_DOMAIN_NAME: 400,
  DUPLICATE_DOMAIN: 409,
  HOST_CONFLICT: 409,
  HOST_RESERVED: 409,
  INVALID_DOMAIN_DEFINITION: 400,
  ROOT_DOMAIN_PROTECTED: 400,
  DUPLICATE_PLUGIN: 500,
  INVALID_OPTIONS: 500,
  UNKNOWN_SERVICE: 500,
  DUPLICATE_SERVICE: 500,
  STORE_INVALID: 500,
  STORE_UNAVAILABLE: 503,
  HOST_NOT_FOUND: 404,
  // request resolution
  DOMAIN_NOT_FOUND: 404,
  DOMAIN_SUSPENDED: 403,
  DOMAIN_DISABLED: 403,
  INVALID_HOST: 400,
  INVALID_PATH: 400,
  INVALID_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  REQUEST_TIMEOUT: 408,
  // context
  NO_CURRENT_DOMAIN: 500,
  // policies
  FEATURE_DISABLED: 403,
  RATE_LIMITED: 429,
  CROSS_DOMAIN_ACCESS: 403,
  PATH_ESCAPE: 400,
  UNAUTHORIZED: 401,
  ROUTE_NOT_FOUND: 404,
  // data isolation
  ISOLATION_NOT_CONFIGURED: 500,
  TENANT_MISMATCH: 403,
  PROVISION_FAILED: 500,
  MIGRATION_FAILED: 500,
  CONFIRMATION_REQUIRED: 400,
  CONNECTION_BUDGET_EXHAUSTED: 503,
  SHARED_ENTITY_OUTSIDE_ROOT: 500,
  NESTED_TRANSACTION: 500,
  // anything else
  INTERNAL_ERROR: 500,
} as const satisfies Record<string, number>;

/** The literal union of every md error code. */
export type MdErrorCode = keyof typeof ERROR_STATUS;
