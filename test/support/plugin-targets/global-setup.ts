/**
 * @module
 * Global setup of the `worker` project (vitest.config.ts): starts, in Node, the local targets the
 * plugin tests in workerd reach (an HTTP server and a real redis-server, each on a free port of
 * 127.0.0.1), hands their ports to the tests (`inject("pluginTargets")`), and stops both after the
 * run: the server by closing it, redis-server by its PID.
 */
import type { TestProject } from "vitest/node";
import type {} from "../../worker/support/plugin-targets.ts";
import { startHttpTarget } from "./http-target.ts";
import { startRedisTarget, stopRedisTarget } from "./redis-target.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const http = await startHttpTarget();
  const redis = await startRedisTarget();
  project.provide("pluginTargets", {
    httpPort: http.port,
    redisPort: redis.port,
    redisPassword: redis.password,
    redisUser: redis.user,
    redisUserPassword: redis.userPassword,
  });
  return async () => {
    await new Promise<void>((resolve) => http.server.close(() => resolve()));
    await stopRedisTarget(redis);
  };
}
