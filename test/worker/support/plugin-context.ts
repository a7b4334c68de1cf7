/**
 * @module
 * A `PluginContext` for calling a plugin's `invoke` directly in workerd, built from real parts:
 * the runtime's `fetch` (to the local HTTP target), `connect` from `cloudflare:sockets` (to the
 * real redis-server), and the KV, R2 and send_email bindings of wrangler.toml, handed over only
 * when the plugin's capabilities name them (as the runtime does). No egress rule, timeout or size
 * cap here: those are the effect runner's (its own tests).
 */
import { connect } from "cloudflare:sockets";
import { env } from "cloudflare:test";
import { inject } from "vitest";
import type { Plugin, PluginBindings, PluginContext } from "../../../plugins/contract.ts";
import type { PluginTargets } from "./plugin-targets.ts";

export interface PluginContextOptions {
  tenant?: string;
  config?: unknown;
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export function pluginContext(plugin: Plugin, options: PluginContextOptions = {}): PluginContext {
  const tenant = options.tenant ?? "acme";
  const names = new Set(plugin.capabilities.bindings);
  const bindings: PluginBindings = {
    ...(names.has("STATE_KV") && env.STATE_KV !== undefined ? { kv: env.STATE_KV } : {}),
    ...(names.has("FILES") && env.FILES !== undefined ? { r2: env.FILES } : {}),
    ...(names.has("EMAIL") && env.EMAIL !== undefined ? { email: env.EMAIL } : {}),
  };
  return {
    tenant,
    config: options.config ?? {},
    idempotencyKey: options.idempotencyKey ?? `run-1:step-1:${crypto.randomUUID()}`,
    fetch: (request) => fetch(request),
    connect: (address, socketOptions) => connect(address, socketOptions),
    keyPrefix: `t/${tenant}/`,
    bindings,
    signal: options.signal ?? new AbortController().signal,
  };
}

export function pluginTargets(): PluginTargets {
  return inject("pluginTargets");
}

/** `http://127.0.0.1:<port><path>` on the local HTTP target. */
export function targetUrl(path: string): string {
  return `http://127.0.0.1:${pluginTargets().httpPort}${path}`;
}

/** What the target's recording routes (`/record/<box>`, `/slack/<box>`) received. */
export async function deliveries(box: string): Promise<{ headers: Record<string, string>; body: string }[]> {
  const response = await fetch(targetUrl(`/deliveries/${box}`));
  return response.json();
}
