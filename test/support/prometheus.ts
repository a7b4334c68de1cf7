/**
 * Runs a real Prometheus server (Debian's `prometheus` package) for a test: a generated config
 * that scrapes one target every second with a bearer token, a temporary storage directory, a free
 * port; `stop()` ends that process by its PID and removes the directory. `promtool` checks a
 * scraped text. `prometheusMissing()` says why the binaries cannot be used, or undefined.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PrometheusServer {
  url: string;
  output: () => string;
  /** an instant query's result vector (`/api/v1/query`) */
  query: (promql: string) => Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop: () => Promise<void>;
}

export function prometheusMissing(): string | undefined {
  for (const binary of ["prometheus", "promtool"]) {
    const found = spawnSync(binary, ["--version"], { stdio: "ignore" });
    if (found.error !== undefined || found.status !== 0)
      return `${binary} is not installed (apt-get install prometheus)`;
  }
  return undefined;
}

/** What `promtool check metrics` says about an exposition text: its exit status and output. */
export function promtoolCheck(text: string): { status: number | null; output: string } {
  const result = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
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

export async function startPrometheus(target: {
  baseUrl: string;
  bearer: string;
}): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), "edgeflow-prometheus-"));
  const { host } = new URL(target.baseUrl);
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 1s",
      "scrape_configs:",
      "  - job_name: edgeflow",
      "    metrics_path: /metrics",
      "    authorization:",
      "      type: Bearer",
      `      credentials: "${target.bearer}"`,
      "    static_configs:",
      `      - targets: ["${host}"]`,
      "",
    ].join("\n"),
  );
  const port = await freePort();
  let output = "";
  const child: ChildProcess = spawn(
    "prometheus",
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with code ${child.exitCode}: ${output}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready in 30 s: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    output: () => output,
    query: async (promql) => {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as { status: string; data?: { result: [] }; error?: string };
      if (body.status !== "success") throw new Error(`query ${promql}: ${body.error}`);
      return body.data?.result ?? [];
    },
    stop,
  };
}
