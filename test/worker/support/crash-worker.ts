/**
 * The crash test's worker entry point (`wrangler dev test/worker/support/crash-worker.ts`, the
 * rest of wrangler.toml unchanged): the real worker and objects, plus the test-only `http-test`
 * plugin and a service `receiver` that calls the crash test's local receiver
 * (`CRASH_RECEIVER_URL`, passed with `--var`; the TenantDO, which performs every call, reads it
 * when it starts). Replace `http-test` with the first-party `http` plugin once it is merged.
 */

import { registerPlugin } from "../../../durable-objects/tenant/plugin-registry.ts";
import { addServiceFinder } from "../../../durable-objects/tenant/service-directory.ts";
import { TenantDO as PlatformTenantDO, type TenantEnv } from "../../../durable-objects/tenant-do.ts";
import worker from "../../../worker/index.ts";
import { httpTestPlugin } from "./test-plugins.ts";

interface CrashEnv extends TenantEnv {
  CRASH_RECEIVER_URL?: string;
}

let receiverUrl: string | undefined;

registerPlugin(httpTestPlugin);
addServiceFinder(({ service }) =>
  service === "receiver" && receiverUrl !== undefined
    ? {
        name: "receiver",
        plugin: httpTestPlugin.name,
        version: httpTestPlugin.version,
        config: { base_url: receiverUrl },
      }
    : undefined,
);

export class TenantDO extends PlatformTenantDO {
  constructor(ctx: DurableObjectState, env: CrashEnv) {
    super(ctx, env);
    receiverUrl = env.CRASH_RECEIVER_URL;
  }
}

export { RunDO } from "../../../durable-objects/run-do.ts";
export default worker;
