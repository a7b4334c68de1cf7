/**
 * A connector added by URL, end to end against `wrangler dev` (docs/auth.md): the consent page in
 * real Chromium (sign in with an API key, Allow, land on the client's redirect with a code; and
 * with a one-time sign-in link: its page, Continue, then Allow without a key), and
 * `mcp-remote` completing OAuth headlessly (its browser is a script that fills the consent form),
 * then listing the tools and calling one through it. A wrong API key: `mcp-remote` prints the
 * consent URL (discovery works; it used to end at `404 POST /register`, "Connection closed"), and
 * the SDK client shows the server's explanation.
 */
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
      body: JSON.stringify({
        client_name: "Chromium Test Host",
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: "none",
      }),
    });
    const client = (await registered.json()) as { client_id: string };
    const verifier = "v".repeat(20) + crypto.randomUUID() + crypto.randomUUID();
    const challenge = Buffer.from(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)),
    ).toString("base64url");
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

  it("a sign-in link in Chromium: the link page, Continue, then Allow on the consent page without a key", async () => {
    const issued = await fetch(`${server.baseUrl}/admin/tenants/connector/sign-in-links`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    const link = ((await issued.json()) as { url: string }).url;
    const callback = await listenForCallback();
    const redirectUri = `http://127.0.0.1:${callback.port}/callback`;
    const registered = await fetch(`${server.baseUrl}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_name: "Link Host",
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: "none",
      }),
    });
    const client = (await registered.json()) as { client_id: string };
    const authorize = `${server.baseUrl}/authorize?${new URLSearchParams({
      response_type: "code",
      client_id: client.client_id,
      redirect_uri: redirectUri,
      code_challenge: "c".repeat(43),
      code_challenge_method: "S256",
      state: "from-link",
      resource: `${server.baseUrl}/mcp`,
    })}`;
    const browser = await chromium.launch({ executablePath: chromiumPath ?? "", args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage();
      await page.goto(link);
      await page.getByRole("button", { name: "Continue as tenant connector" }).click();
      expect(await page.getByRole("status").textContent()).toContain('signed in to the tenant "connector"');
      await page.goto(authorize);
      expect(await page.getByText("sign-in link for the tenant").count()).toBe(1);
      await page.getByRole("button", { name: "Allow" }).click();
      const landed = new URL(await callback.received);
      expect(landed.searchParams.get("state")).toBe("from-link");
      expect(landed.searchParams.get("code") ?? "").not.toBe("");
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
    expect(readFileSync(log, "utf8")).toMatch(
      /consent page 200\nallow 302 -> \/oauth\/callback\ncallback 200/,
    );
  });

  it("mcp-remote with a wrong API key opens the consent page instead of closing the connection", async () => {
    // Before OAuth: 401 → discovery → `404 POST /register` → "Connection closed". Now the 401
    // names the resource metadata, registration works, and mcp-remote prints the consent URL,
    // where the person signs in (here the opener script pastes the right key).
    const log = join(work, "opener-wrong.log");
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        MCP_REMOTE,
        `${server.baseUrl}/mcp`,
        "--allow-http",
        "--header",
        "Authorization:Bearer efk_connector_0000000000000000_wrong",
      ],
      env: {
        ...(process.env as Record<string, string>),
        BROWSER: openerCommand("consent"),
        MCP_REMOTE_CONFIG_DIR: join(work, "mcp-remote-wrong"),
        EDGEFLOW_CONSENT_KEY: apiKey,
        EDGEFLOW_OPENER_LOG: log,
      },
      stderr: "pipe",
    });
    const printed = collect(transport.stderr);
    const mcp = new Client({ name: "wrong-key", version: "1.0.0" });
    let connected = false;
    try {
      await mcp.connect(transport);
      connected = (await mcp.listTools()).tools.length > 0;
    } catch (error) {
      console.log(`mcp-remote with a wrong key: ${String(error)}`);
    } finally {
      await mcp.close();
    }
    const text = printed();
    console.log(`mcp-remote printed for a wrong key:\n${text}`);
    expect(text).toContain("Please authorize this client by visiting:");
    expect(text).toContain(`${server.baseUrl}/authorize?`);
    // a 404 as a status, not three digits inside the random `state` or `code_challenge` it prints
    expect(text).not.toMatch(/(?<![\w-])404(?![\w-])|Connection closed/);
    expect(readFileSync(log, "utf8")).toContain("consent page 200");
    // mcp-remote sends a `--header Authorization` in place of the token it just got, so it ends with
    // "Giving up": the README's recipe says to drop the header for OAuth (docs/auth.md).
    console.log(`connected after the consent: ${connected}`);
  });

  it("the SDK client shows the server's explanation of a wrong key", async () => {
    const mcp = new Client({ name: "wrong-key-sdk", version: "1.0.0" });
    const refused = await mcp
      .connect(
        new StreamableHTTPClientTransport(new URL(`${server.baseUrl}/mcp`), {
          requestInit: { headers: { authorization: "Bearer efk_connector_0000000000000000_wrong" } },
        }),
      )
      .then(
        () => "connected",
        (error: unknown) => String(error),
      );
    console.log(`the SDK client for a wrong key: ${refused}`);
    expect(refused).toContain("The API key is not valid (unknown or revoked)");
    expect(refused).toContain("remove the Authorization header");
    const res = await fetch(`${server.baseUrl}/mcp`, {
      method: "POST",
      headers: {
        authorization: "Bearer efk_connector_0000000000000000_wrong",
        "content-type": "application/json",
      },
      body: "{}",
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error_description="The API key is not valid');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("auth.invalid_key");
  });
});

function openerCommand(mode: "consent"): string {
  const wrapper = join(work, `browser-${mode}.sh`);
  writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${OPENER}" "$1"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

function collect(
  stream: { on(event: "data", listener: (chunk: Buffer) => void): unknown } | null,
): () => string {
  let text = "";
  stream?.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  return () => text;
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
    http.listen(0, "127.0.0.1", () =>
      resolve({ port: (http.address() as AddressInfo).port, received, server: http }),
    );
  });
}
