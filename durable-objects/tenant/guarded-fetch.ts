/**
 * @module
 * The `fetch` and `connect` a plugin gets in its `PluginContext`: every request (and every
 * redirect it is sent to, followed here, at most 5) passes the egress rule
 * (engine/plugins/egress.ts; a redirect to another origin carries only a few plain headers, no
 * credentials), runs under the call's abort signal (its timeout), and its response
 * body is read up to a cap (default 1 MiB) and handed back whole, so a plugin never streams an
 * unbounded body. Refusals are `external.egress_refused`, an oversized body `external.too_large`,
 * an abort `external.timeout`.
 */

import { connect as openSocket } from "cloudflare:sockets";
import { CROSS_ORIGIN_HEADERS } from "../../engine/dialect/header-names.ts";
import { EngineError } from "../../engine/errors.ts";
import {
  checkHostEgress,
  checkUrlEgress,
  type EgressOptions,
  normaliseHost,
} from "../../engine/plugins/egress.ts";

export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 5;

export interface GuardedFetchOptions extends EgressOptions {
  signal: AbortSignal;
  maxResponseBytes: number;
}

export function guardedFetch(options: GuardedFetchOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    const body = request.body === null ? undefined : await request.arrayBuffer();
    let url = request.url;
    let method = request.method;
    let payload = body;
    let headers = request.headers;
    for (let hop = 0; ; hop += 1) {
      refuseUnlessAllowed(url, options);
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers,
          ...(payload === undefined ? {} : { body: payload }),
          redirect: "manual",
          signal: options.signal,
        });
      } catch (error) {
        if (options.signal.aborted) throw new EngineError("external.timeout", "the call timed out");
        throw new EngineError("external.failed", `request to ${new URL(url).host} failed: ${String(error)}`);
      }
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel();
        if (hop >= MAX_REDIRECTS) throw new EngineError("external.failed", "too many redirects");
        const next = new URL(location, url);
        if (next.origin !== new URL(url).origin) headers = withoutCredentials(headers);
        url = next.toString();
        if (
          response.status === 303 ||
          ((response.status === 301 || response.status === 302) && method === "POST")
        ) {
          method = "GET";
          payload = undefined;
        }
        continue;
      }
      return cappedResponse(response, options);
    }
  };
}

function withoutCredentials(headers: Headers): Headers {
  const kept = new Headers();
  for (const [name, value] of headers) if (CROSS_ORIGIN_HEADERS.has(name)) kept.set(name, value);
  return kept;
}

export function guardedConnect(
  options: EgressOptions,
): (address: { hostname: string; port: number }, socketOptions?: SocketOptions) => Socket {
  return (address, socketOptions) => {
    // connect to exactly the host that was checked: the resolver would read `2130706433` as 127.0.0.1
    const hostname = normaliseHost(address.hostname);
    const verdict = checkHostEgress(address.hostname, options);
    if (!verdict.allowed || hostname === undefined)
      throw new EngineError(
        "external.egress_refused",
        `egress refused: ${verdict.allowed ? "not a valid host" : verdict.reason}`,
      );
    return openSocket({ hostname, port: address.port }, socketOptions);
  };
}

function refuseUnlessAllowed(url: string, options: EgressOptions): void {
  const verdict = checkUrlEgress(url, options);
  if (!verdict.allowed) throw new EngineError("external.egress_refused", `egress refused: ${verdict.reason}`);
}

async function cappedResponse(response: Response, options: GuardedFetchOptions): Promise<Response> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > options.maxResponseBytes) {
    await response.body?.cancel();
    throw tooLarge(options.maxResponseBytes);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body !== null) {
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > options.maxResponseBytes) {
          await reader.cancel();
          throw tooLarge(options.maxResponseBytes);
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof EngineError) throw error;
      if (options.signal.aborted) throw new EngineError("external.timeout", "the call timed out");
      throw new EngineError("external.failed", `reading the response failed: ${String(error)}`);
    }
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  const nullBody = response.status === 204 || response.status === 304 || response.status === 205;
  return new Response(nullBody ? null : bytes, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

function tooLarge(limit: number): EngineError {
  return new EngineError("external.too_large", `the response body is larger than ${limit} bytes`);
}
