/**
 * @module
 * Tenant ids: 1-63 lowercase letters, digits and inner hyphens (DNS-label style). No underscore,
 * so an API key `efk_<tenant>_<keyId>_<secret>` splits without ambiguity.
 */

export const TENANT_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function isTenantId(value: string): boolean {
  return TENANT_ID_PATTERN.test(value);
}
