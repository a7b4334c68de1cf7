/**
 * @module
 * A test-only worker entry for the `external-call` benchmark (bench/external-call.ts, started with
 * `wrangler dev test/worker/support/direct-fetch-worker.ts`): the real worker, plus
 * `GET /bench/direct-fetch?url=<loopback url>`, which POSTs `{}` to that URL straight from the
 * worker, as the `http` plugin would but without the run, the TenantDO or the plugin, and answers
 * `{status, fetch_ms}` (the worker's own clock around the fetch). It must never be deployed: it is
 * an open proxy to 127.0.0.1, which is why it takes nothing else.
 */
import type { Env } from "../../../worker/env.ts";
import worker from "../../../worker/index.ts";

export { RunDO, TenantDO } from "../../../worker/index.ts";

async function directFetch(target: string | null): Promise<Response> {
  if (target === null || new URL(target).hostname !== "127.0.0.1") {
    return Response.json({ error: "url must be an http://127.0.0.1 address" }, { status: 400 });
  }
  const started = Date.now();
  const res = await fetch(target, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: "{}",
  });
  await res.arrayBuffer();
  return Response.json({ status: res.status, fetch_ms: Date.now() - started });
}

export default {
  fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/bench/direct-fetch") {
      return directFetch(url.searchParams.get("url"));
    }
    return worker.fetch(request, env, ctx);
  },
  queue: worker.queue,
} satisfies ExportedHandler<Env>;
