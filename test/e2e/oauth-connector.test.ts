/**
 * A connector added by URL, end to end against `wrangler dev` (docs/auth.md): the consent page in
 * real Chromium (sign in with an API key, Allow, land on the client's redirect with a code), and
 * `mcp-remote` completing OAuth headlessly (its browser is a script that fills the consent form),
 * then listing the tools and calling one through it. A wrong API key through `mcp-remote` prints
 * the server's own explanation.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findChromium } from "./support/chromium.ts";
import { type DevServer, startWranglerDev } from "./wrangler-dev.ts";

const root = join(import.meta.dirname, "..", "..");
const MCP_REMOTE = join(root, "node_modules", "mcp-remote", "dist", "proxy.js");
const OPENER = join(import.meta.dirname, "support", "consent-by-fetch.mjs");
const chromiumPath = findChromium();
if (chromiumPath === null) {
  console.warn("oauth-connector: skipped, no Chromium (apt-get install -y chromium, or set CHROMIUM_PATH)");
}

let server: DevServer;
let apiKey: string;
let work: string;

beforeAll(async () => {
  if (chromiumPath === null) return;
  work = mkdtempSync(join(tmpdir(), "edgeflow-oauth-"));
  server = await startWranglerDev();
  const res = await fetch(`${server.baseUrl}/admin/tenants`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ id: "connector" }),
  });
  expect(res.status).toBe(201);
  apiKey = ((await res.json()) as { apiKey: string }).apiKey;
});

afterAll(async () => {
  await server?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(chromiumPath === null)("a connector added by URL (OAuth)", () => {
  it("consent page in Chromium: sign in with a key, Allow, land on the client's redirect with a code", async () => {
    const callback = await listenForCallback();
    const redirectUri = `http://127.0.0.1:${callback.port}/callback`;
    const registered = await fetch(`${server.baseUrl}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "Chromium Test Host", redirect_uris: [redirectUri], token_endpoint_auth_method: "none" }),
    });
    const client = (await registered.json()) as { client_id: string };
    const verifier = "v".repeat(20) + crypto.randomUUID() + crypto.randomUUID();
    const challenge = Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))).toString("base64url");
    const authorize = `${server.baseUrl}/authorize?${new URLSearchParams({
      response_type: "code",
      client_id: client.client_id,
      redirect_uri: redirectUri,
      code_challenge: challenge,
      code_challenge_method: "S256",
      state: "from-chromium",
      resource: `${server.baseUrl}/mcp`,
    })}`;
    const browser = await chromium.launch({ executablePath: chromiumPath ?? "", args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage();
      await page.goto(authorize);
      expect(await page.title()).toBe("Allow Chromium Test Host to use edgeflow?");
      expect(await page.getByText(redirectUri).count()).toBe(1);
      await page.getByLabel("API key of your tenant").fill("efk_wrong");
      await page.getByRole("button", { name: "Allow" }).click();
      expect(await page.getByRole("alert").textContent()).toContain("That API key is not valid");
      await page.getByLabel("API key of your tenant").fill(apiKey);
      await page.getByRole("button", { name: "Allow" }).click();
      const landed = new URL(await callback.received);
      expect(landed.searchParams.get("state")).toBe("from-chromium");
      const code = landed.searchParams.get("code") ?? "";
      expect(code).not.toBe("");
      const token = await fetch(`${server.baseUrl}/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code,
          redirect_uri: redirectUri,
          client_id: client.client_id,
          code_verifier: verifier,
        }).toString(),
      });
      const { access_token } = (await token.json()) as { access_token: string };
      const mcp = new Client({ name: "oauth-e2e", version: "1.0.0" });
      await mcp.connect(
        new StreamableHTTPClientTransport(new URL(`${server.baseUrl}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${access_token}` } },
        }),
      );
      expect((await mcp.listTools()).tools.map((tool) => tool.name)).toContain("workflow_list");
      await mcp.close();
    } finally {
      await browser.close();
      callback.server.close();
    }
  });

  it("mcp-remote signs in headlessly, then lists the tools and calls one", async () => {
    const log = join(work, "opener.log");
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MCP_REMOTE, `${server.baseUrl}/mcp`, "--allow-http"],
      env: {
        ...(process.env as Record<string, string>),
        BROWSER: openerCommand("consent"),
        MCP_REMOTE_CONFIG_DIR: join(work, "mcp-remote-ok"),
        EDGEFLOW_CONSENT_KEY: apiKey,
        EDGEFLOW_OPENER_LOG: log,
      },
      stderr: "pipe",
    });
    const printed = collect(transport.stderr);
    const mcp = new Client({ name: "via-mcp-remote", version: "1.0.0" });
    try {
      await mcp.connect(transport);
      const tools = await mcp.listTools();
      expect(tools.tools.map((tool) => tool.name)).toContain("workflow_list");
      const listed = await mcp.callTool({ name: "workflow_list", arguments: {} });
      expect(listed.isError).not.toBe(true);
      expect(JSON.stringify(listed.content)).toContain("workflows");
    } finally {
      await mcp.close();
    }
    expect(printed()).toContain("Please authorize this client by visiting:");
    expect(readFileSync(log, "utf8")).toMatch(/consent page 200\nallow 302 -> \/oauth\/callback\ncallback 200/);
  });

  it("mcp-remote with a wrong API key prints the server's explanation", async () => {
    const child = spawn(
      process.execPath,
      [MCP_REMOTE, `${server.baseUrl}/mcp`, "--allow-http", "--header", "Authorization:Bearer efk_connector_0000000000000000_wrong"],
      {
        env: {
          ...process.env,
          BROWSER: openerCommand("noop"),
          MCP_REMOTE_CONFIG_DIR: join(work, "mcp-remote-wrong"),
        },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    const printed = collect(child.stderr);
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } } })}\n`,
    );
    const text = await waitFor(printed, /API key is not valid/, child);
    console.log(`mcp-remote printed for a wrong key:\n${text}`);
    expect(text).toContain("The API key is not valid (unknown or revoked)");
  });
});

function openerCommand(mode: "consent" | "noop"): string {
  const wrapper = join(work, `browser-${mode}.sh`);
  const body =
    mode === "consent" ? `exec "${process.execPath}" "${OPENER}" "$1"` : `echo "$1" >> "${join(work, "noop.log")}"`;
  writeFileSync(wrapper, `#!/bin/sh\n${body}\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

function collect(stream: NodeJS.ReadableStream | null): () => string {
  let text = "";
  stream?.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  return () => text;
}

async function waitFor(printed: () => string, pattern: RegExp, child: ChildProcess): Promise<string> {
  try {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      if (pattern.test(printed()) || child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return printed();
  } finally {
    if (child.exitCode === null && child.pid !== undefined) child.kill("SIGTERM");
  }
}

function listenForCallback(): Promise<{ port: number; received: Promise<string>; server: Server }> {
  let deliver: (url: string) => void = () => {};
  const received = new Promise<string>((resolve) => {
    deliver = resolve;
  });
  const http = createServer((req, res) => {
    res.end("signed in");
    deliver(`http://127.0.0.1${req.url ?? "/"}`);
  });
  return new Promise((resolve) => {
    http.listen(0, "127.0.0.1", () => resolve({ port: (http.address() as AddressInfo).port, received, server: http }));
  });
}
