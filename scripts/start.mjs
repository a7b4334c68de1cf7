#!/usr/bin/env node
/**
 * @module
 * `npm start`: edgeflow on this machine with zero configuration.
 *
 * 1. Makes sure `.dev.vars` holds an ADMIN_TOKEN and a SECRETS_KEY (random ones on first start;
 *    SECRETS_KEY encrypts tenant secrets at rest, so keep it: changing it orphans stored secrets).
 * 2. Runs `wrangler dev` on 127.0.0.1:8787 (PORT overrides) with state under `.wrangler/state`;
 *    `EDGEFLOW_ALLOW_PRIVATE_EGRESS=1` in the shell is passed on (plugins may call local targets).
 * 3. Makes sure tenant `demo` exists and that its API key (kept in `.wrangler/edgeflow-demo.json`)
 *    still works; creates the tenant or a fresh key when not.
 * 4. Prints the MCP URL, the key and a ready-to-paste MCP client configuration.
 * A second start reuses everything. Ctrl-C stops wrangler.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const host = "127.0.0.1";
const port = Number(process.env.PORT ?? 8787);
const base = `http://${host}:${port}`;
const devVarsPath = join(root, ".dev.vars");
const demoPath = join(root, ".wrangler", "edgeflow-demo.json");
const DEMO_TENANT = "demo";

const adminToken = ensureDevVar("ADMIN_TOKEN");
ensureDevVar("SECRETS_KEY");
const wrangler = spawn(
  process.execPath,
  [
    join(root, "node_modules", "wrangler", "bin", "wrangler.js"),
    "dev",
    "--ip",
    host,
    "--port",
    String(port),
    "--persist-to",
    join(root, ".wrangler", "state"),
    // plugins may reach loopback and private addresses only when the shell asks for it
    // (`EDGEFLOW_ALLOW_PRIVATE_EGRESS=1 npm start`: local targets in development; docs/plugins.md)
    ...(process.env.EDGEFLOW_ALLOW_PRIVATE_EGRESS === "1"
      ? ["--var", "EDGEFLOW_ALLOW_PRIVATE_EGRESS:1"]
      : []),
  ],
  { cwd: root, stdio: "inherit", env: process.env },
);

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => wrangler.kill(signal));
}
wrangler.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

try {
  await waitForHealth();
  const demo = await ensureDemoTenant();
  printBanner(demo);
} catch (error) {
  console.error(`\nedgeflow: ${error instanceof Error ? error.message : String(error)}`);
  console.error("wrangler keeps running; fix the problem above or stop it with Ctrl-C.");
}

/** Reads a variable from .dev.vars, adding a random 32-byte hex value when it is missing. */
function ensureDevVar(name) {
  const current = existsSync(devVarsPath) ? readFileSync(devVarsPath, "utf8") : "";
  const match = new RegExp(`^${name}\\s*=\\s*"?([^"\\n]+)"?\\s*$`, "m").exec(current);
  if (match?.[1]) return match[1];
  const value = randomBytes(32).toString("hex");
  const prefix = current === "" || current.endsWith("\n") ? current : `${current}\n`;
  writeFileSync(devVarsPath, `${prefix}${name}=${value}\n`, { mode: 0o600 });
  console.log(`edgeflow: wrote a new ${name} to .dev.vars`);
  return value;
}

async function waitForHealth() {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (wrangler.exitCode !== null) throw new Error("wrangler dev exited before it was ready");
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${base}/healthz did not answer within 120 s`);
}

/** Returns `{tenant, apiKey, keyId}` for the demo tenant, creating what is missing. */
async function ensureDemoTenant() {
  const saved = readSavedDemo();
  if (saved && (await keyWorks(saved.apiKey))) return saved;

  let issued = await admin("POST", "/admin/tenants", { id: DEMO_TENANT, label: "npm start" });
  if (issued.status === 409) {
    issued = await admin("POST", `/admin/tenants/${DEMO_TENANT}/keys`, { label: "npm start" });
  }
  if (issued.status !== 201) {
    throw new Error(
      `could not set up tenant "${DEMO_TENANT}": ${issued.status} ${JSON.stringify(issued.body)}`,
    );
  }
  const demo = { tenant: DEMO_TENANT, apiKey: issued.body.apiKey, keyId: issued.body.key.id };
  mkdirSync(dirname(demoPath), { recursive: true });
  writeFileSync(demoPath, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  return demo;
}

function readSavedDemo() {
  try {
    const saved = JSON.parse(readFileSync(demoPath, "utf8"));
    return typeof saved.apiKey === "string" ? saved : null;
  } catch {
    return null;
  }
}

async function keyWorks(apiKey) {
  const res = await fetch(`${base}/mcp`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${apiKey}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
  });
  await res.body?.cancel();
  return res.status === 200;
}

async function admin(method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

function printBanner(demo) {
  const url = `${base}/mcp`;
  // mcp-remote expands ${EDGEFLOW_AUTH} from `env` itself; the literal is intended.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: see above
  const authHeader = "Authorization:${EDGEFLOW_AUTH}";
  const config = {
    mcpServers: {
      edgeflow: {
        command: "npx",
        args: ["-y", "mcp-remote", url, "--allow-http", "--header", authHeader],
        env: { EDGEFLOW_AUTH: `Bearer ${demo.apiKey}` },
      },
    },
  };
  const lines = [
    "",
    "──────────────────────────── edgeflow is running ────────────────────────────",
    `MCP endpoint : ${url}`,
    `tenant       : ${demo.tenant}`,
    `API key      : ${demo.apiKey}`,
    `admin token  : in .dev.vars (ADMIN_TOKEN, and SECRETS_KEY for tenant secrets); demo key in .wrangler/edgeflow-demo.json`,
    "",
    "Events: POST /hooks/demo/<endpoint> (signed webhooks), POST /events (this key), or watch a directory:",
    `  EDGEFLOW_URL=${base} EDGEFLOW_KEY=${demo.apiKey} npm run cli -- watch ./src`,
    "",
    "Try it with the MCP Inspector CLI:",
    `  npx mcp-inspector --cli ${url} --transport http --header "Authorization: Bearer ${demo.apiKey}" --method tools/list`,
    "",
    "MCP client configuration (Claude Desktop, Cursor, ... via mcp-remote):",
    JSON.stringify(config, null, 2),
    "──────────────────────────────────────────────────────────────────────────────",
    "",
  ];
  console.log(lines.join("\n"));
}
