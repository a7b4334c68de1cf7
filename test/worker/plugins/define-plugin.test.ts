/**
 * definePlugin: params and configuration parsed with the plugin's schemas (failures name paths,
 * never values), an answer outside the result schema is external.invalid_result, a named method
 * wins over `*`, and an unknown method is external.failed.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ANY_METHOD, definePlugin } from "../../../plugins/define-plugin.ts";
import { pluginContext } from "../support/plugin-context.ts";

const probe = definePlugin({
  name: "probe",
  version: "1.0.0",
  description: "test plugin",
  roles: ["call"],
  config: z.strictObject({ token: z.string().min(20) }),
  capabilities: { http: false, sockets: false, bindings: [], secretFields: ["token"] },
  methods: (method) => ({
    double: method({
      description: "doubles n",
      params: z.strictObject({ n: z.number() }),
      result: z.strictObject({ n: z.number() }),
      run: async ({ n }) => ({ n: n * 2 }),
    }),
    broken: method({
      description: "answers the wrong shape",
      params: z.strictObject({}),
      result: z.strictObject({ n: z.number() }),
      // @ts-expect-error: the point is an answer outside the result schema
      run: async () => ({ n: "two" }),
    }),
    [ANY_METHOD]: method({
      description: "echoes its method name",
      params: z.strictObject({}),
      result: z.strictObject({ method: z.string() }),
      run: async (_params, _config, _context, methodName) => ({ method: methodName }),
    }),
  }),
});

const context = pluginContext(probe, { config: { token: "a-token-of-twenty-chars-at-least" } });

describe("definePlugin", () => {
  it("runs a named method with parsed params, and `*` for any other name", async () => {
    expect(await probe.invoke("double", { n: 21 }, context)).toEqual({ n: 42 });
    expect(await probe.invoke("anything/else", {}, context)).toEqual({ method: "anything/else" });
  });

  it("refuses params outside the method's schema as external.failed, naming the path", async () => {
    await expect(probe.invoke("double", { n: "x" }, context)).rejects.toMatchObject({
      code: "external.failed",
      message: expect.stringContaining("at n"),
    });
  });

  it("refuses a configuration outside its schema without quoting the value", async () => {
    const short = pluginContext(probe, { config: { token: "short-secret" } });
    const error = await probe.invoke("double", { n: 1 }, short).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: "external.failed", message: expect.stringContaining("at token") });
    expect(String(Reflect.get(Object(error), "message"))).not.toContain("short-secret");
  });

  it("turns an answer outside the result schema into external.invalid_result", async () => {
    await expect(probe.invoke("broken", {}, context)).rejects.toMatchObject({
      code: "external.invalid_result",
    });
  });

  it("does not treat inherited names as methods", async () => {
    expect(await probe.invoke("constructor", {}, context)).toEqual({ method: "constructor" });
    expect(await probe.invoke("__proto__", {}, context)).toEqual({ method: "__proto__" });
  });
});
