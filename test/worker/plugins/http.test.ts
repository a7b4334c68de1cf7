/**
 * The http plugin (1.x and 2.x) against a local HTTP target: POST <base_url>/<method> with the
 * params as JSON, configured verbs and paths, auth from the configuration, Idempotency-Key on
 * every request, `{status, headers, body}` (parsed when JSON), external.http_status with a
 * Retry-After hint on 429/503, and paths that cannot climb out of base_url.
 */
import { describe, expect, it } from "vitest";
import { EngineError } from "../../../engine/errors.ts";
import { httpPluginV1 } from "../../../plugins/http/plugin.ts";
import { httpPluginV2 } from "../../../plugins/http/plugin-v2.ts";
import { FIRST_PARTY_PLUGINS } from "../../../plugins/index.ts";
import { pluginContext, targetUrl } from "../support/plugin-context.ts";

interface Echo {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

function echoOf(result: unknown): Echo {
  expect(result).toMatchObject({ status: 200 });
  const body: unknown =
    typeof result === "object" && result !== null ? Reflect.get(result, "body") : undefined;
  expect(body).toMatchObject({ method: expect.any(String), path: expect.any(String) });
  return body as Echo;
}

async function callError(promise: Promise<unknown>): Promise<EngineError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof EngineError)) throw new Error(`expected an EngineError, got ${String(error)}`);
  return error;
}

describe("http@1", () => {
  it("POSTs the params as JSON to <base_url>/<method> with the idempotency key", async () => {
    const context = pluginContext(httpPluginV1, {
      config: { base_url: targetUrl("/echo/api") },
      idempotencyKey: "run-7:deploy:0",
    });
    const result = await httpPluginV1.invoke("deploy", { version: "1.2.3", replicas: 2 }, context);
    expect(result).toMatchObject({ status: 200, headers: { "content-type": "application/json" } });
    const echo = echoOf(result);
    expect(echo.method).toBe("POST");
    expect(echo.path).toBe("/echo/api/deploy");
    expect(JSON.parse(echo.body)).toEqual({ version: "1.2.3", replicas: 2 });
    expect(echo.headers["content-type"]).toBe("application/json");
    expect(echo.headers["idempotency-key"]).toBe("run-7:deploy:0");
  });

  it("sends the same Idempotency-Key on every attempt with the same context key", async () => {
    const keys = await Promise.all(
      [1, 2].map(async () => {
        const context = pluginContext(httpPluginV1, {
          config: { base_url: targetUrl("/echo") },
          idempotencyKey: "k-1",
        });
        return echoOf(await httpPluginV1.invoke("x", {}, context)).headers["idempotency-key"];
      }),
    );
    expect(keys).toEqual(["k-1", "k-1"]);
  });

  it("maps a method to another verb and path, filling {placeholders} and sending the rest as the query", async () => {
    const context = pluginContext(httpPluginV1, {
      config: {
        base_url: targetUrl("/echo"),
        methods: { get_deployment: { verb: "GET", path: "/deployments/{id}" } },
      },
    });
    const echo = echoOf(await httpPluginV1.invoke("get_deployment", { id: "a b/c", verbose: true }, context));
    expect(echo.method).toBe("GET");
    expect(echo.path).toBe("/echo/deployments/a%20b%2Fc");
    expect(echo.query).toEqual({ verbose: "true" });
    expect(echo.body).toBe("");
  });

  it.each([
    [{ type: "bearer", token: "tok-123" }, "authorization", "Bearer tok-123"],
    [
      { type: "basic", username: "ann", password: "pä:ss" },
      "authorization",
      `Basic ${btoa("ann:p\u00c3\u00a4:ss")}`,
    ],
    [{ type: "header", header: "X-Api-Key", value: "key-9" }, "x-api-key", "key-9"],
  ])("authenticates with %o", async (auth, header, expected) => {
    const context = pluginContext(httpPluginV1, { config: { base_url: targetUrl("/echo"), auth } });
    expect(echoOf(await httpPluginV1.invoke("x", {}, context)).headers[header]).toBe(expected);
  });

  it("refuses an auth block without its secret, naming the field and not a value", async () => {
    const context = pluginContext(httpPluginV1, {
      config: { base_url: targetUrl("/echo"), auth: { type: "bearer" } },
    });
    const error = await callError(httpPluginV1.invoke("x", {}, context));
    expect(error.code).toBe("external.failed");
    expect(error.message).toContain("auth.token");
  });

  it("answers a text body as text and an empty one as null", async () => {
    const text = pluginContext(httpPluginV1, {
      config: { base_url: targetUrl(""), methods: { t: { verb: "GET", path: "/text" } } },
    });
    expect(await httpPluginV1.invoke("t", {}, text)).toMatchObject({ status: 200, body: "plain text" });
    const empty = pluginContext(httpPluginV1, { config: { base_url: targetUrl("") } });
    expect(await httpPluginV1.invoke("empty", {}, empty)).toMatchObject({ status: 204, body: null });
  });

  it.each([
    [429, "7", 7, true],
    [503, "120", 120, true],
    [503, "99999", 3600, true],
    [429, "soon", undefined, true],
    [500, undefined, undefined, true],
    [404, "7", undefined, false],
  ])(
    "turns HTTP %i with Retry-After %s into external.http_status (%s s)",
    async (status, retryAfter, seconds, retryable) => {
      const context = pluginContext(httpPluginV1, {
        config: { base_url: targetUrl(""), methods: { fail: { verb: "GET", path: `/status/${status}` } } },
      });
      const params = retryAfter === undefined ? {} : { retry_after: retryAfter };
      const error = await callError(httpPluginV1.invoke("fail", params, context));
      expect(error.code).toBe("external.http_status");
      expect(error.message).toContain(`HTTP ${status}`);
      expect(error.retryAfterSeconds).toBe(seconds);
      expect(error.retryable).toBe(retryable);
    },
  );

  it.each(["../admin", "a/../../b", "./x", "%2e%2e/x", "a b", "x?y=1"])(
    "refuses the method %s, which is not a path under base_url",
    async (method) => {
      const context = pluginContext(httpPluginV1, { config: { base_url: targetUrl("/echo/api") } });
      expect((await callError(httpPluginV1.invoke(method, {}, context))).code).toBe("external.failed");
    },
  );

  it("refuses a placeholder value of .. so a param cannot climb out either", async () => {
    const context = pluginContext(httpPluginV1, {
      config: { base_url: targetUrl("/echo/api"), methods: { get: { verb: "GET", path: "/items/{id}" } } },
    });
    expect((await callError(httpPluginV1.invoke("get", { id: ".." }, context))).code).toBe("external.failed");
  });

  it("refuses a configuration that does not match its schema without quoting it", async () => {
    const context = pluginContext(httpPluginV1, { config: { base_url: "ftp://secret-host/x" } });
    const error = await callError(httpPluginV1.invoke("x", {}, context));
    expect(error.code).toBe("external.failed");
    expect(error.message).not.toContain("secret-host");
  });
});

describe("http@2, beside http@1", () => {
  it("is present with 1.x in the first-party catalog", () => {
    const versions = FIRST_PARTY_PLUGINS.filter((plugin) => plugin.name === "http").map(
      (plugin) => plugin.version,
    );
    expect(versions).toEqual(["1.1.0", "2.0.0"]);
  });

  it("takes the verb from the method and answers duration_ms", async () => {
    const context = pluginContext(httpPluginV2, {
      config: { base_url: targetUrl("/echo") },
      idempotencyKey: "k-2",
    });
    const result = await httpPluginV2.invoke("PUT /items/42", { name: "x" }, context);
    expect(result).toMatchObject({ status: 200, duration_ms: expect.any(Number) });
    const echo = echoOf(result);
    expect(echo).toMatchObject({ method: "PUT", path: "/echo/items/42" });
    expect(JSON.parse(echo.body)).toEqual({ name: "x" });
    expect(echo.headers["idempotency-key"]).toBe("k-2");
  });

  it("still POSTs a bare method name, where 1.x would POST `PUT /items/42` as a path", async () => {
    const context = pluginContext(httpPluginV2, { config: { base_url: targetUrl("/echo") } });
    expect(echoOf(await httpPluginV2.invoke("deploy", {}, context))).toMatchObject({
      method: "POST",
      path: "/echo/deploy",
    });
    const v1 = pluginContext(httpPluginV1, { config: { base_url: targetUrl("/echo") } });
    expect((await callError(httpPluginV1.invoke("PUT /items/42", {}, v1))).code).toBe("external.failed");
  });

  it("refuses a verb it does not know", async () => {
    const context = pluginContext(httpPluginV2, { config: { base_url: targetUrl("/echo") } });
    expect((await callError(httpPluginV2.invoke("TRACE /x", {}, context))).code).toBe("external.failed");
  });
});
