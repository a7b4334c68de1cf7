/**
 * @module
 * The Worker bindings a plugin may be handed, taken from the TenantDO's environment; the effect
 * runner passes on only those a plugin's capabilities name.
 */
import type { PluginBindings } from "../../plugins/contract.ts";

export interface PluginBindingEnv {
  STATE_KV?: KVNamespace;
  FILES?: R2Bucket;
  EMAIL?: SendEmail;
}

export function pluginBindingsOf(env: PluginBindingEnv): PluginBindings {
  const bindings: PluginBindings = {};
  if (env.STATE_KV !== undefined) bindings.kv = env.STATE_KV;
  if (env.FILES !== undefined) bindings.r2 = env.FILES;
  if (env.EMAIL !== undefined) bindings.email = env.EMAIL;
  return bindings;
}
