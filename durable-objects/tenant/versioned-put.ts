/**
 * @module
 * The write behind `external_state`: `put` of `{version, ...}` under the run's key, but only when
 * the backend does not already hold that version or a newer one (read with the plugin's `get`
 * first). Keeps an older write (a retry after a crash, a slow call) from replacing a newer one.
 */
import type { Plugin, PluginContext } from "../../plugins/contract.ts";

export interface VersionedValue {
  key: string;
  value: { version: number };
}

/** `put` unless the stored value's `version` is at least ours; answers what was done. */
export async function versionedPut(
  plugin: Plugin,
  params: unknown,
  context: PluginContext,
): Promise<{ key: string; version: number; written: boolean; stored_version?: number }> {
  const { key, value } = params as VersionedValue;
  const current = await plugin.invoke("get", { key }, context);
  const stored = storedVersion(current);
  if (stored !== undefined && stored >= value.version) {
    return { key, version: value.version, written: false, stored_version: stored };
  }
  await plugin.invoke("put", params, context);
  return { key, version: value.version, written: true };
}

function storedVersion(answer: unknown): number | undefined {
  if (answer === null || typeof answer !== "object") return undefined;
  const { found, value } = answer as { found?: unknown; value?: unknown };
  if (found !== true || value === null || typeof value !== "object") return undefined;
  const version = (value as { version?: unknown }).version;
  return typeof version === "number" ? version : undefined;
}
