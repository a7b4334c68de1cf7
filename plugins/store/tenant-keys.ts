/**
 * @module
 * Tenant isolation in shared stores (KV, R2, Redis): every key a plugin touches is the context's
 * `keyPrefix` (`t/<tenant>/`) followed by the key the workflow gave, and `list` strips the prefix
 * again. Keys are opaque text, not paths: `../x` or `t/other/x` stay inside the tenant's own
 * prefix (`t/acme/../x`), since none of the three stores resolves `..`. The prefix itself is
 * checked so a runtime bug cannot widen it to a neighbour (`t/a` would also match `t/ab/`).
 */
import { EngineError } from "../../engine/errors.ts";

const PREFIX_PATTERN = /^t\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\/$/;

export interface TenantKeys {
  /** The stored key of a workflow's key. */
  stored(key: string): string;
  /** The workflow's key of a stored key under the prefix (undefined for any other key). */
  visible(storedKey: string): string | undefined;
  /** The stored prefix of a `list` by `prefix`. */
  listPrefix(prefix: string): string;
}

/** `outer` is a fixed segment before the tenant prefix (R2's `_plugins/`), "" for none. */
export function tenantKeys(keyPrefix: string, outer = ""): TenantKeys {
  if (!PREFIX_PATTERN.test(keyPrefix)) {
    throw new EngineError("external.failed", "the call's key prefix is not t/<tenant>/ (a runtime bug)");
  }
  const root = outer + keyPrefix;
  return {
    stored: (key) => root + key,
    visible: (storedKey) => (storedKey.startsWith(root) ? storedKey.slice(root.length) : undefined),
    listPrefix: (prefix) => root + prefix,
  };
}
