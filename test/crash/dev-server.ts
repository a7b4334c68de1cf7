/**
 * `wrangler dev` for the crash test (test/support/wrangler-dev.ts): the persistence folder is the
 * test's and outlives the process, so a restart on it finds the same Durable Object state; the
 * test passes the secrets; `crash()` is the `kill -9` of workerd. It waits up to 120 s for
 * `/healthz` (the end-to-end tests, 90 s).
 */
import {
  spawnWranglerDev,
  type WranglerDevOptions,
  type WranglerDevProcess,
} from "../support/wrangler-dev.ts";

export type DevServerOptions = Pick<WranglerDevOptions, "persistDir" | "vars" | "script">;

export type DevServer = WranglerDevProcess;

export function startDevServer(options: DevServerOptions): Promise<DevServer> {
  return spawnWranglerDev({ ...options, readyTimeoutMs: 120_000 });
}
