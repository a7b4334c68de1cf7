/**
 * Starts `wrangler dev` for an end-to-end test or a benchmark (test/support/wrangler-dev.ts): a
 * fresh persistence directory, removed again by `stop()`, and a random ADMIN_TOKEN and SECRETS_KEY.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnWranglerDev } from "../support/wrangler-dev.ts";

export interface DevServer {
  baseUrl: string;
  /** the worker without wrangler's dev proxy in front, when asked for (`exposeWorkerUrl`) */
  workerUrl: string | undefined;
  adminToken: string;
  /** where wrangler keeps the state (Durable Objects' SQLite files under `v3/do/`) */
  persistDir: string;
  output: () => string;
  stop: () => Promise<void>;
}

export interface StartWranglerDevOptions {
  exposeWorkerUrl?: boolean;
  /** more `--var`s beside ADMIN_TOKEN and SECRETS_KEY (e.g. EDGEFLOW_ALLOW_PRIVATE_EGRESS) */
  vars?: Record<string, string>;
  /** a worker entry point other than wrangler.toml's `main` (a test-only entry) */
  script?: string;
}

export async function startWranglerDev(options: StartWranglerDevOptions = {}): Promise<DevServer> {
  const persistDir = mkdtempSync(join(tmpdir(), "edgeflow-e2e-"));
  const removeState = () => rmSync(persistDir, { recursive: true, force: true });
  const adminToken = randomBytes(24).toString("hex");
  const { vars: more = {}, ...rest } = options;
  const vars = { ...more, ADMIN_TOKEN: adminToken, SECRETS_KEY: randomBytes(32).toString("hex") };
  try {
    const wrangler = await spawnWranglerDev({ persistDir, vars, ...rest });
    return {
      baseUrl: wrangler.baseUrl,
      workerUrl: wrangler.workerUrl,
      adminToken,
      persistDir,
      output: () => wrangler.output(),
      stop: async () => {
        await wrangler.stop();
        removeState();
      },
    };
  } catch (error) {
    removeState();
    throw error;
  }
}
