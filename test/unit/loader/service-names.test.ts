/**
 * A `services:` entry named `__proto__` is refused where it stands (zod alone drops the key and
 * the service vanishes), and so is the name in `service_register`; `uses` is 200 characters at
 * most wherever it appears.
 */
import { describe, expect, it } from "vitest";
import { serviceNameSchema, usesSchema } from "../../../engine/dialect/index.ts";
import { loadWorkflow } from "../../../engine/loader/index.ts";

const HEAD = `name: "svc:names"\ndescription: "x"\nversion: "1.0.0"\n`;

describe("service names", () => {
  it("refuses a services: entry named __proto__, located at it", () => {
    const yaml = `${HEAD}services:\n  __proto__:\n    uses: "http@^1"\nsteps:\n  - {id: a, type: external_call, service: api, method: get}\n`;
    const result = loadWorkflow(yaml);
    if (result.ok) throw new Error("a service named __proto__ was accepted");
    expect(result.errors).toEqual([
      expect.objectContaining({
        code: "loader.invalid_value",
        path: "services.__proto__",
        line: expect.any(Number),
        message: expect.stringContaining("__proto__"),
      }),
    ]);
  });

  it("refuses __proto__ as a registered service's name, and takes other underscore names", () => {
    expect(serviceNameSchema.safeParse("__proto__").success).toBe(false);
    expect(serviceNameSchema.safeParse("__proto__x").success).toBe(true);
    expect(serviceNameSchema.safeParse("_api").success).toBe(true);
  });
});

describe("uses", () => {
  const long = `http@${"1".repeat(200)}`;

  it("is 200 characters at most", () => {
    expect(usesSchema.safeParse(long).success).toBe(false);
    expect(usesSchema.safeParse(long.slice(0, 200)).success).toBe(true);
  });

  it.each([
    ["a step", `steps:\n  - {id: a, type: external_call, service: api, method: get, uses: "${long}"}\n`],
    ["a notify step", `steps:\n  - {id: a, type: notify, channel: ops, message: hi, uses: "${long}"}\n`],
    [
      "a services: entry",
      `services:\n  api: {uses: "${long}"}\nsteps:\n  - {id: a, type: external_call, service: api, method: get}\n`,
    ],
    [
      "external_state",
      `external_state: {backend: kv, uses: "${long}"}\nsteps:\n  - {id: a, type: external_call, service: api, method: get}\n`,
    ],
    [
      "on_complete",
      `on_complete: {channel: ops, message: done, uses: "${long}"}\nsteps:\n  - {id: a, type: external_call, service: api, method: get}\n`,
    ],
  ])("refuses a longer one in %s", (_where, body) => {
    const result = loadWorkflow(HEAD + body);
    if (result.ok) throw new Error("a long uses was accepted");
    expect(result.errors).toContainEqual(expect.objectContaining({ path: expect.stringMatching(/uses$/) }));
  });
});
