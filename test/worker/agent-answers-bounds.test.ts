/**
 * Agent answers at the edges, through MCP (issue 12): durations past 1 year and answer shapes
 * the checker cannot read are refused at publish with their line:column (they used to publish
 * and then answer internal.error at start, at completion and at every workflow_get_next_step),
 * a long wait says when to ask again no later than the run's time limit, and the warnings one
 * answer carries stay few.
 */
import { describe, expect, it } from "vitest";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";

const ONE_YEAR = 31_536_000;

const head = (name: string, config = "") => `name: "${name}"\ndescription: d\nversion: "1.0.0"\n${config}`;
const TIMEOUT_600 = "config:\n  timeout_seconds: 600\n";

async function refusedAt(
  apiKey: string,
  yaml: string,
): Promise<{ line?: number; column?: number; message: string }> {
  const published = await callTool(apiKey, "workflow_publish", { yaml });
  const error = toolErrorOf(published) as { code: string; message: string; line?: number; column?: number };
  expect(error.code).toBe("workflow.invalid");
  return error;
}

async function publish(apiKey: string, yaml: string): Promise<void> {
  const published = await callTool(apiKey, "workflow_publish", { yaml });
  expect(published.isError, published.text).toBe(false);
}

interface WaitView {
  status: string;
  retry_after_ms?: number;
  wait_until?: string;
}

describe("durations are at most 1 year", () => {
  it("refuses a wait_step of 1e300 seconds at publish, at its line and column", async () => {
    const { apiKey } = await newTenant("bounds-wait");
    const yaml = `${head("bounds:wait", TIMEOUT_600)}steps:\n  - id: nap\n    type: wait_step\n    seconds: 1e300\n`;
    const error = await refusedAt(apiKey, yaml);
    expect(error).toMatchObject({ line: 9, column: 14 });
    expect(error.message).toContain("31536000");
  });

  it("refuses a wait past what an alarm can hold (no timeout) at publish, not with internal.error at start", async () => {
    const { apiKey } = await newTenant("bounds-alarm");
    const yaml = `${head("bounds:alarm")}steps:\n  - id: nap\n    type: wait_step\n    seconds: 1e10\n`;
    expect(await refusedAt(apiKey, yaml)).toMatchObject({ line: 7, column: 14 });
  });

  it("starts a 1-year wait without a timeout: the answer is a wait with its date", async () => {
    const { apiKey } = await newTenant("bounds-year");
    const yaml = `${head("bounds:year")}steps:\n  - id: nap\n    type: wait_step\n    seconds: ${ONE_YEAR}\n  - id: done\n    type: user_message\n    message: hi\n`;
    await publish(apiKey, yaml);
    const started = await callTool(apiKey, "workflow_start", { workflow: "bounds:year", inputs: {} });
    expect(started.isError, started.text).toBe(false);
    const next = started.structured.next as WaitView;
    expect(next.status).toBe("wait");
    expect(Number.isNaN(Date.parse(next.wait_until ?? ""))).toBe(false);
    expect(next.retry_after_ms).toBe(ONE_YEAR * 1000);
    const again = await callTool(apiKey, "workflow_get_next_step", {
      workflow_id: started.structured.workflow_id,
    });
    expect(again.isError, again.text).toBe(false);
    expect(again.structured.status).toBe("wait");
  });

  it("a 1-year wait in a run with a 600 s time limit says to ask again no later than the limit", async () => {
    const { apiKey } = await newTenant("bounds-deadline");
    const yaml = `${head("bounds:deadline", TIMEOUT_600)}steps:\n  - id: nap\n    type: wait_step\n    seconds: ${ONE_YEAR}\n`;
    await publish(apiKey, yaml);
    const started = await callTool(apiKey, "workflow_start", { workflow: "bounds:deadline", inputs: {} });
    expect(started.isError, started.text).toBe(false);
    const next = started.structured.next as WaitView;
    expect(next.status).toBe("wait");
    expect(next.retry_after_ms).toBeLessThanOrEqual(600_000);
    expect(typeof next.wait_until).toBe("string");
  });

  it("refuses retry_delay and max_delay of 1e300 at publish", async () => {
    const { apiKey } = await newTenant("bounds-retry");
    const yaml = `${head("bounds:retry", TIMEOUT_600)}steps:\n  - id: lint\n    type: mcp_call\n    tool: lint_project\n    error_handling: {strategy: retry, max_retries: 2, retry_delay: 1e300, max_delay: 1e300}\n`;
    expect(await refusedAt(apiKey, yaml)).toMatchObject({ line: 10 });
  });

  it("a failed step whose retry is due in a year answers a wait capped at the run's time limit", async () => {
    const { apiKey } = await newTenant("bounds-retry-year");
    const yaml = `${head("bounds:retry-year", TIMEOUT_600)}steps:\n  - id: lint\n    type: mcp_call\n    tool: lint_project\n    error_handling: {strategy: retry, max_retries: 2, retry_delay: ${ONE_YEAR}, max_delay: ${ONE_YEAR}}\n`;
    await publish(apiKey, yaml);
    const started = await callTool(apiKey, "workflow_start", { workflow: "bounds:retry-year", inputs: {} });
    const runId = started.structured.workflow_id as string;
    await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    const failed = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "lint",
      status: "failed",
      error: "boom",
    });
    expect(failed.isError, failed.text).toBe(false);
    const next = failed.structured.next as WaitView;
    expect(next.status).toBe("wait");
    expect(next.retry_after_ms).toBeLessThanOrEqual(600_000);
    const again = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(again.isError, again.text).toBe(false);
  });
});

describe("answer shapes are checked at publish", () => {
  const prompt = (name: string, shape: string, more = "") =>
    `${head(name)}steps:\n  - id: ask\n    type: agent_prompt\n    prompt: answer\n    expected_response: ${shape}\n${more}`;

  it("refuses required: 5 (it used to answer internal.error at every completion)", async () => {
    const { apiKey } = await newTenant("bounds-shape");
    const error = await refusedAt(apiKey, prompt("bounds:shape", "{type: object, required: 5}"));
    expect(error.line).toBe(8);
  });

  it("refuses templates in a shape, an unknown type, and more than 10 re-asks", async () => {
    const { apiKey } = await newTenant("bounds-shape-more");
    await refusedAt(apiKey, prompt("bounds:tpl", '{type: object, required: ["{{ this.f }}"]}'));
    await refusedAt(apiKey, prompt("bounds:type", "{type: obj}"));
    const error = await refusedAt(apiKey, prompt("bounds:reasks", "{type: object}", "    max_retries: 11\n"));
    expect(error).toMatchObject({ line: 9 });
  });

  it("a required field is met by the answer's own fields only", async () => {
    const { apiKey } = await newTenant("bounds-own");
    await publish(apiKey, prompt("bounds:own", "{type: object, required: [toString]}"));
    const started = await callTool(apiKey, "workflow_start", { workflow: "bounds:own", inputs: {} });
    const runId = started.structured.workflow_id as string;
    await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    const done = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "ask",
      result: { a: 1 },
    });
    expect(done.isError, done.text).toBe(false);
    const next = done.structured.next as {
      status: string;
      steps?: { attempt: number; definition: Record<string, unknown> }[];
    };
    expect(next.status).toBe("steps");
    expect(next.steps?.[0]?.attempt).toBe(2);
    expect(String(next.steps?.[0]?.definition.previous_error)).toContain('"toString"');
  });
});

describe("warnings", () => {
  it("bounds the warnings one answer carries", { timeout: 120_000 }, async () => {
    const { apiKey } = await newTenant("bounds-warn");
    const yaml = `${head("bounds:warn")}default_state:
  state: {n: 0}
steps:
  - id: each
    type: foreach
    items: "{{ Array.from({length: 400}, (_, i) => i) }}"
    body:
      - id: spin
        type: while_loop
        condition: "{{ true }}"
        max_iterations: 1
        body:
          - id: bump
            type: set_state
            state_update: {path: this.n, value: "{{ this.n + 1 }}"}
  - id: done
    type: user_message
    message: "{{ this.n }}"
`;
    await publish(apiKey, yaml);
    const started = await callTool(apiKey, "workflow_start", { workflow: "bounds:warn", inputs: {} });
    expect(started.isError, started.text).toBe(false);
    const next = started.structured.next as { warnings?: unknown[] };
    expect(next.warnings?.length ?? 0).toBeLessThanOrEqual(20);
  });
});
