/**
 * What every hostile-input suite sets up and shares: its `HostileHarness` and tenant (made in
 * `beforeAll`, the harness finished in `afterAll`), a tool call sent and checked through the
 * harness, headers a client could send, and the check that a tenant still does normal work after
 * the hostile inputs.
 */
import { afterAll, beforeAll, expect } from "vitest";
import { callTool, newTenant, toolCallOf } from "./clients.ts";
import { type Answer, HostileHarness, mcpHeaders, toolCallBody } from "./hostile-harness.ts";
import { GREET } from "./workflows.ts";

export interface SuiteTenant {
  id: string;
  apiKey: string;
  keyId: string;
}

export interface HostileSuiteOptions {
  /** the suite's name in the printed counts */
  suite: string;
  /** the inputs the suite promises (see `HostileHarness`) */
  minimum: number;
  /** the prefix of the suite's tenant id */
  tenantPrefix: string;
  /** more setup in `beforeAll`, once the tenant exists */
  setup?: (tenant: SuiteTenant) => Promise<void>;
  /** a line printed in `afterAll`, before the counts */
  summary?: () => string;
}

export interface HostileSuite {
  harness: HostileHarness;
  /** the suite's tenant: the same object throughout, filled in by `beforeAll` */
  tenant: SuiteTenant;
  /** `tools/call` with the tenant's key, counted under `surface` and checked by the harness */
  tool(
    surface: string,
    name: string,
    args: unknown,
  ): Promise<Answer & { structured: Record<string, unknown> }>;
}

/** Makes the suite's harness and registers the `beforeAll` and `afterAll` around its tests. */
export function hostileSuite(options: HostileSuiteOptions): HostileSuite {
  const harness = new HostileHarness(options.suite, options.minimum);
  const tenant: SuiteTenant = { id: "", apiKey: "", keyId: "" };
  beforeAll(async () => {
    Object.assign(tenant, await newTenant(options.tenantPrefix));
    await options.setup?.(tenant);
  });
  afterAll(() => {
    if (options.summary !== undefined) console.log(options.summary());
    harness.finish();
  });
  return {
    harness,
    tenant,
    async tool(surface, name, args) {
      const answer = await harness.send(surface, "/mcp", {
        method: "POST",
        headers: mcpHeaders(tenant.apiKey),
        body: toolCallBody(name, args),
      });
      const match = /^data: (.*)$/m.exec(answer.text);
      let message: { result?: Parameters<typeof toolCallOf>[0] };
      try {
        message = JSON.parse(match?.[1] ?? answer.text);
      } catch {
        throw new Error(
          `${name}: the answer (HTTP ${answer.status}) is not JSON-RPC: ${answer.text.slice(0, 200)}`,
        );
      }
      return {
        ...answer,
        structured: message.result === undefined ? {} : toolCallOf(message.result).structured,
      };
    },
  };
}

/**
 * Headers built from `headers`, leaving out the undefined ones and the values `fetch` cannot send
 * (NUL, CR, LF): a client could not send them either.
 */
export function sendableHeaders(headers: Record<string, string | undefined>): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    try {
      out.set(name, value);
    } catch {
      // not a valid header value
    }
  }
  return out;
}

/** Publishes GREET as `after:greet` and runs it with `expectGreetRuns`. */
export async function expectStillServing(apiKey: string): Promise<void> {
  const yaml = GREET.replace('"demo:greet"', '"after:greet"');
  expect((await callTool(apiKey, "workflow_publish", { yaml })).isError).toBe(false);
  const started = await callTool(apiKey, "workflow_start", {
    workflow: "after:greet",
    inputs: { name: "x" },
  });
  await expectGreetRuns(apiKey, started.structured.workflow_id as string, 5);
}

/** Drives a run of GREET through its `pick` step with `n` and checks the state it ends with. */
export async function expectGreetRuns(apiKey: string, runId: string, n: number): Promise<void> {
  const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
  expect(next.structured.status).toBe("steps");
  const done = await callTool(apiKey, "workflow_step_complete", {
    workflow_id: runId,
    step_id: "pick",
    result: { n },
  });
  expect(done.isError, done.text).toBe(false);
  const status = await callTool(apiKey, "workflow_get_status", { workflow_id: runId });
  expect(status.structured).toMatchObject({ state: { state: { count: n }, computed: { doubled: n * 2 } } });
}
