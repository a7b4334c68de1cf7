import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Projects split by runtime (DESIGN.md decision 3):
 * - `unit` runs the pure engine, the CLI and plugins in Node;
 * - `worker` runs the Durable Objects, routes and MCP in workerd;
 * - `e2e` runs in Node against a real `wrangler dev` (started and killed by the tests);
 * - `crash` kills `wrangler dev` mid-load and restarts it (minutes, not seconds). It exists only
 *   when asked for by name (`npm run test:crash` is `vitest run --project crash`), so neither
 *   `npm test` (which names the other three) nor a plain `vitest run` starts it.
 */
const crashRequested = process.argv.some((arg) => arg === "crash" || arg === "--project=crash");
export default defineConfig({
  test: {
    // the JSON lines every request and run transition writes (docs/observability.md, "Logs") would
    // drown the output: routine ones are hidden (set EDGEFLOW_TEST_LOGS=1 to see them). Only the
    // root config's filter applies to every project.
    onConsoleLog: (log) => process.env.EDGEFLOW_TEST_LOGS === "1" || !isRoutineLogLine(log),
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          include: ["test/unit/**/*.test.ts"],
          setupFiles: ["test/support/metered-quickjs.setup.ts"],
          testTimeout: 30_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ADMIN_TOKEN: "test-admin-token",
                SECRETS_KEY: "test-secrets-key-0123456789abcdef0123456789abcdef",
                // plugins reach the local HTTP target on 127.0.0.1 (test/worker/support/http-target.ts);
                // test/worker/effect-calls.test.ts ("egress and limits") proves the refusal without it
                EDGEFLOW_ALLOW_PRIVATE_EGRESS: "1",
                // test-only package keys (test/worker/workflow-packages.test.ts): the deployment's signing key, and a
                // second, trusted public key whose private half that test holds
                EDGEFLOW_PACKAGE_SIGNING_KEY:
                  "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIN6NbJeGJ0V9iIlVt4Ng0iDqcHtGnm9LhhD852EIyvph\n-----END PRIVATE KEY-----\n",
                EDGEFLOW_PACKAGE_TRUSTED_KEYS: "YmJzwxFp18zf4viMrcq3L8HXnf8gPGgKJImtC2tHPvE",
              },
            },
          }),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          // A local HTTP target and a real redis-server for the plugin tests (test/worker/plugins).
          globalSetup: ["test/support/plugin-targets/global-setup.ts", "test/worker/support/http-target.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts"],
          setupFiles: ["test/support/metered-quickjs.setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      ...(crashRequested
        ? [
            {
              test: {
                name: "crash",
                environment: "node",
                include: ["test/crash/**/*.test.ts"],
                testTimeout: 600_000,
                hookTimeout: 120_000,
              },
            },
          ]
        : []),
    ],
  },
});

/** An `info` line, or the `warn` line of a request answered 4xx (tests send many on purpose). */
function isRoutineLogLine(log: string): boolean {
  return log.startsWith('{"level":"info"') || log.startsWith('{"level":"warn","event":"http_request"');
}
