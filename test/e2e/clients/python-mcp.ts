/**
 * @module
 * The Python MCP SDK (`mcp` from PyPI) for the client matrix: a virtual environment kept under
 * `node_modules/.cache/edgeflow-python-mcp`, made and filled on first use (`python3 -m venv`,
 * `pip install mcp`), reused afterwards. When Python, venv or the package index is not there, it
 * answers why, and the matrix skips the Python column saying so. `.ci/run` calls this file
 * (`--install`) before the tests, so CI pays for the install once, outside the test's time.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..", "..");

export const PYTHON_VENV = join(root, "node_modules", ".cache", "edgeflow-python-mcp");
export const PYTHON_CLIENT = join(import.meta.dirname, "python_client.py");

/** The venv's python with `mcp` importable, or why there is none. */
export type PythonMcp = { python: string; version: string } | { skipped: string };

const INSTALL_TIMEOUT_MS = 10 * 60_000;

export async function pythonMcp(): Promise<PythonMcp> {
  const python = join(PYTHON_VENV, "bin", "python");
  const installed = await mcpVersion(python);
  if (installed !== undefined) return { python, version: installed };
  if (!existsSync(python)) {
    const made = await attempt("python3", ["-m", "venv", PYTHON_VENV]);
    if (made !== undefined) return { skipped: `python3 -m venv failed: ${made}` };
  }
  const pip = await attempt(python, ["-m", "pip", "install", "--retries", "1", "--quiet", "mcp"]);
  if (pip !== undefined) return { skipped: `pip install mcp failed: ${pip}` };
  const version = await mcpVersion(python);
  return version === undefined ? { skipped: "mcp installed but not importable" } : { python, version };
}

async function mcpVersion(python: string): Promise<string | undefined> {
  if (!existsSync(python)) return undefined;
  try {
    const { stdout } = await run(
      python,
      ["-c", 'import importlib.metadata as m, mcp.client.streamable_http; print(m.version("mcp"))'],
      { timeout: 60_000 },
    );
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** Runs a command; undefined when it succeeded, else the last line of what it said. */
async function attempt(command: string, args: string[]): Promise<string | undefined> {
  try {
    await run(command, args, { timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
    return undefined;
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    const said = (stderr ?? "").trim().split("\n").filter(Boolean).at(-1) ?? message;
    return said.slice(0, 300);
  }
}

if (process.argv.includes("--install")) {
  const found = await pythonMcp();
  console.log(
    "python" in found ? `python mcp ${found.version} in ${PYTHON_VENV}` : `python mcp: ${found.skipped}`,
  );
}
