/**
 * A real HTTP server on 127.0.0.1 for the workerd tests' plugins to call (vitest globalSetup, in
 * Node): `provide`s its URL as `httpTarget`. It records every request by path and
 * `Idempotency-Key`, and answers:
 * - `POST /echo/<anything>`: 200 `{id, key, path, body, authorization}`; applies each key once
 *   (`applied` counts distinct keys per path, `seen` counts every request);
 * - `/status/<code>?retry_after=<s>`: that status, with `Retry-After` when asked;
 * - `/flaky/<n>/<name>`: 503 for the first n requests of a name, then 200;
 * - `/big`: a 2 MiB body; `/slow`: answers after 3 s; `/redirect?to=<url>`: 302 there;
 * - `GET /log`: everything recorded; `POST /reset`.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    httpTarget: string;
  }
}

interface Recorded {
  path: string;
  key: string | null;
  authorization: string | null;
  /** the W3C trace context the caller sent (test/worker/traces.test.ts) */
  traceparent: string | null;
  body: unknown;
}

let server: Server | undefined;

export async function setup(project: TestProject): Promise<void> {
  let log: Recorded[] = [];
  const flaky = new Map<string, number>();
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const text = await readBody(req);
    const body = text === "" ? null : safeJson(text);
    const key = req.headers["idempotency-key"];
    const entry: Recorded = {
      path: url.pathname,
      key: typeof key === "string" ? key : null,
      authorization: req.headers.authorization ?? null,
      traceparent: typeof req.headers.traceparent === "string" ? req.headers.traceparent : null,
      body,
    };
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(value));
    };
    if (url.pathname === "/log") return json(200, log);
    if (url.pathname === "/reset") {
      log = [];
      flaky.clear();
      return json(200, { reset: true });
    }
    log.push(entry);
    const status = /^\/status\/(\d{3})$/.exec(url.pathname);
    if (status) {
      const retryAfter = url.searchParams.get("retry_after");
      return json(Number(status[1]), { error: "as asked" }, retryAfter ? { "retry-after": retryAfter } : {});
    }
    const flake = /^\/flaky\/(\d+)\/(.+)$/.exec(url.pathname);
    if (flake) {
      const count = (flaky.get(flake[2]!) ?? 0) + 1;
      flaky.set(flake[2]!, count);
      if (count <= Number(flake[1])) return json(503, { error: "flaky" }, { "retry-after": "1" });
      return json(200, { ok: true, count });
    }
    if (url.pathname === "/big") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(Buffer.alloc(2 * 1024 * 1024, 120));
      return;
    }
    if (url.pathname === "/slow") {
      setTimeout(() => json(200, { slow: true }), 3_000);
      return;
    }
    if (url.pathname === "/redirect") {
      res.writeHead(302, { location: url.searchParams.get("to") ?? "/" });
      res.end();
      return;
    }
    const seenBefore = log.filter(
      (item) => item.key !== null && item.key === entry.key && item.path === entry.path,
    );
    return json(200, {
      id: `r-${log.length}`,
      key: entry.key,
      path: entry.path,
      body,
      authorization: entry.authorization,
      duplicate: seenBefore.length > 1,
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("http target has no port");
  project.provide("httpTarget", `http://127.0.0.1:${address.port}`);
}

export async function teardown(): Promise<void> {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
