/**
 * @module
 * `wrangler dev` as a child process, for the end-to-end tests, the crash test and the benchmarks:
 * a free port on 127.0.0.1, Durable Object state in the caller's folder (never removed here, so a
 * restart on the same folder finds the same state), vars passed with `--var`, output kept so a
 * failure can show it. `stop()` signals the process group by PID; `crash()` `kill -9`s the
 * `workerd` processes under wrangler, then the group, the way a machine losing power would.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");

export interface WranglerDevOptions {
  /** where `wrangler dev --persist-to` keeps state; the caller removes it */
  persistDir: string;
  /** passed as `--var NAME:value` (ADMIN_TOKEN, SECRETS_KEY, ...) */
  vars: Record<string, string>;
  /** a worker entry point other than wrangler.toml's `main` (the rest of wrangler.toml applies) */
  script?: string;
  /** bundle-time constants, passed as `--define NAME:<JSON of value>` (e.g. EDGEFLOW_BUILD) */
  defines?: Record<string, string>;
  /** how long to wait for `GET /healthz` to answer 2xx; 90 s by default */
  readyTimeoutMs?: number;
  /**
   * Also find the worker's own address inside workerd (`workerUrl`), behind wrangler's dev proxy
   * (a second workerd that forwards every request, for live reload). Wrangler names it only in
   * its debug log, so this runs wrangler with `WRANGLER_LOG=debug`. For the benchmarks.
   */
  exposeWorkerUrl?: boolean;
}

export interface WranglerDevProcess {
  readonly baseUrl: string;
  /** the worker itself, without wrangler's dev proxy in front (with `exposeWorkerUrl`) */
  readonly workerUrl: string | undefined;
  readonly pid: number;
  output(): string;
  /** `kill -9` every workerd under this wrangler, then wrangler; answers the workerd pids killed */
  crash(): Promise<number[]>;
  /** SIGTERM to the process group, SIGKILL after 5 s; the state folder stays */
  stop(): Promise<void>;
}

/** Starts `wrangler dev` and waits until it answers `/healthz`; stops it again if it never does. */
export async function spawnWranglerDev(options: WranglerDevOptions): Promise<WranglerDevProcess> {
  const port = await freePort();
  const vars = Object.entries(options.vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
  const defines = Object.entries(options.defines ?? {}).flatMap(([name, value]) => [
    "--define",
    `${name}:${JSON.stringify(value)}`,
  ]);
  const child = spawn(
    process.execPath,
    [
      join(root, "node_modules", "wrangler", "bin", "wrangler.js"),
      "dev",
      ...(options.script === undefined ? [] : [options.script]),
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      options.persistDir,
      ...vars,
      ...defines,
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: root,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        NO_COLOR: "1",
        CI: "true",
        ...(options.exposeWorkerUrl === true ? { WRANGLER_LOG: "debug" } : {}),
      },
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-200_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const baseUrl = `http://127.0.0.1:${port}`;
  let workerUrl: string | undefined;
  try {
    await waitForHealth(baseUrl, child, options.readyTimeoutMs ?? 90_000);
    if (options.exposeWorkerUrl === true) workerUrl = await findWorkerUrl(() => log);
  } catch (error) {
    await stop(child, exited);
    throw new Error(`${(error as Error).message}\n--- wrangler output ---\n${log}`);
  }
  return {
    baseUrl,
    workerUrl,
    pid: child.pid ?? -1,
    output: () => log,
    crash: () => crash(child, exited),
    stop: () => stop(child, exited),
  };
}

/** The last `userWorkerUrl` wrangler's debug log names, once it answers `/healthz`. */
async function findWorkerUrl(output: () => string): Promise<string> {
  const pattern = /"userWorkerUrl":\{"protocol":"(https?:)","hostname":"([^"]+)","port":"(\d+)"/g;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const found = [...output().matchAll(pattern)].at(-1);
    if (found !== undefined) {
      const url = `${found[1]}//${found[2]}:${found[3]}`;
      if ((await fetch(`${url}/healthz`).catch(() => undefined))?.ok) return url;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("wrangler's debug log never named the worker's own address (userWorkerUrl)");
}

/** The pids of every process below `pid`, with their command names. */
function descendants(pid: number): { pid: number; command: string }[] {
  const table = execFileSync("ps", ["-eo", "pid=,ppid=,comm="], { encoding: "utf8" })
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length >= 3)
    .map(([child, parent, command]) => ({ pid: Number(child), ppid: Number(parent), command: command! }));
  const found: { pid: number; command: string }[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const row of table.filter((entry) => entry.ppid === parent)) {
      found.push({ pid: row.pid, command: row.command });
      queue.push(row.pid);
    }
  }
  return found;
}

async function crash(child: ChildProcess, exited: Promise<void>): Promise<number[]> {
  if (child.pid === undefined) throw new Error("wrangler has no pid");
  const workerd = descendants(child.pid).filter((entry) => entry.command.includes("workerd"));
  if (workerd.length === 0) throw new Error("no workerd process under wrangler");
  for (const entry of workerd) process.kill(entry.pid, "SIGKILL");
  await stop(child, exited, "SIGKILL");
  return workerd.map((entry) => entry.pid);
}

/** Signals the process group (wrangler and whatever it started); SIGKILL after 5 s. */
async function stop(
  child: ChildProcess,
  exited: Promise<void>,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<void> {
  if (child.pid === undefined) return;
  const signalGroup = (sent: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sent);
    } catch {
      // already gone
    }
  };
  signalGroup(signal);
  const timer = setTimeout(() => signalGroup("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
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

async function waitForHealth(baseUrl: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not become healthy within ${timeoutMs / 1000} s`);
}
