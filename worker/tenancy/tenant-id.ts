/**
 * @module
 * Tenant ids: 1-63 lowercase letters, digits and inner hyphens (DNS-label style). No underscore,
 * so an API key `efk_<tenant>_<keyId>_<secret>` splits without ambiguity.
 */
import { EngineError } from "../../engine/errors.ts";
import { RuntimeCodes } from "../errors/codes.ts";

export const TENANT_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function isTenantId(value: string): boolean {
  return TENANT_ID_PATTERN.test(value);
}

/** `tenant.invalid_id` (at `id`) unless `id` is a well-formed tenant id. */
export function assertTenantId(id: string): void {
  if (!isTenantId(id)) {
    throw new EngineError(
      RuntimeCodes.tenantInvalidId,
      `Tenant id "${id.slice(0, 80)}" is not valid: use 1-63 lowercase letters, digits and inner hyphens (${TENANT_ID_PATTERN}).`,
      { path: "id" },
    );
  }
}
