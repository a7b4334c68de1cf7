/**
 * Starts `wrangler dev` for an end-to-end test: a free port on 127.0.0.1, a fresh persistence
 * directory, a random ADMIN_TOKEN and SECRETS_KEY passed with `--var`, and a `stop()` that kills
 * the process group by PID. Output is kept so a failure can show it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface DevServer {
  baseUrl: string;
  adminToken: string;
  output: () => string;
  stop: () => Promise<void>;
}

const root = join(import.meta.dirname, "..", "..");

export async function startWranglerDev(): Promise<DevServer> {
  const port = await freePort();
  const persistDir = mkdtempSync(join(tmpdir(), "edgeflow-e2e-"));
  const adminToken = randomBytes(24).toString("hex");
  const secretsKey = randomBytes(32).toString("hex");
  const child = spawn(
    process.execPath,
    [
      join(root, "node_modules", "wrangler", "bin", "wrangler.js"),
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      persistDir,
      "--var",
      `ADMIN_TOKEN:${adminToken}`,
      "--var",
      `SECRETS_KEY:${secretsKey}`,
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: root,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    },
  );
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  const server: DevServer = {
    baseUrl: `http://127.0.0.1:${port}`,
    adminToken,
    output: () => log,
    stop: async () => {
      await stopProcess(child);
      rmSync(persistDir, { recursive: true, force: true });
    },
  };
  try {
    await waitForHealth(server.baseUrl, child);
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n--- wrangler output ---\n${log}`);
  }
  return server;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForHealth(baseUrl: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("wrangler dev did not become healthy within 90 s");
}

/** SIGTERM to the process group (wrangler and its workerd), SIGKILL after 5 s. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  signalGroup("SIGTERM");
  const timer = setTimeout(() => signalGroup("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
