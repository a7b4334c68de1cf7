/**
 * @module
 * The contract every plugin under `plugins/` follows: a `PluginDescriptor` (what the engine checks
 * at publish) plus `invoke`, which runs one method in workerd with a `PluginContext` the runtime
 * builds for the call. A plugin reaches the world only through its context: `fetch` and `connect`
 * apply the egress rule, a timeout and a response-size cap; `bindings` holds only what its
 * capabilities name; `keyPrefix` is the tenant's own prefix in shared stores. It never sees an
 * unresolved secret reference or another tenant's data, and must not log its configuration.
 * Plugins may import `engine/`, never `worker/` or `durable-objects/` (test/unit/layers).
 */
import type { PluginDescriptor } from "../engine/plugins/descriptor.ts";

/** The Worker bindings a plugin may receive (only those its capabilities list are set). */
export interface PluginBindings {
  kv?: KVNamespace;
  r2?: R2Bucket;
  email?: SendEmail;
}

export interface PluginContext {
  tenant: string;
  /** The service's configuration, parsed by the plugin's `config` schema, secrets resolved. */
  config: unknown;
  /**
   * The same for every attempt of one step at one position of one run (its retries included),
   * different for another run, step or loop iteration. Send it as `Idempotency-Key` where the
   * target supports one.
   */
  idempotencyKey: string;
  /** Outbound HTTP(S): egress-checked, timed out, the response body capped. */
  fetch(request: Request): Promise<Response>;
  /** Outbound TCP (`cloudflare:sockets`' `connect`), egress-checked. */
  connect(address: { hostname: string; port: number }, options?: SocketOptions): Socket;
  /** The tenant's prefix for keys in shared stores (KV, R2, Redis): `t/<tenant>/`. */
  keyPrefix: string;
  bindings: PluginBindings;
  /** Aborted when the call's timeout passes. */
  signal: AbortSignal;
}

export interface Plugin extends PluginDescriptor {
  /**
   * Runs `method` with `params` (already checked against the method's `params` schema). Answers
   * data matching the method's `result` schema, or throws an `EngineError` with an `external.*` or
   * `plugin.*` code (anything else thrown is reported as `external.failed`).
   */
  invoke(method: string, params: unknown, context: PluginContext): Promise<unknown>;
}
