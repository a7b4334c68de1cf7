/**
 * Hostile input on `POST /mcp`: generated arguments for every registered tool (shaped by the
 * tool's own JSON Schema, aimed at live runs of five workflows, a dependency graph among them),
 * generated JSON-RPC envelopes and batches, raw bodies and headers, and the classics by hand (100k-level nesting, 10 MB bodies, invalid
 * UTF-8, `__proto__`/`constructor`/`prototype` in arguments, state paths and values). Never a
 * 5xx, every error with a stable code, nothing logged as unexpected, and the tenant's DOs answer
 * normally afterwards.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TOOLS } from "../../worker/mcp/server.ts";
import { mutatedText } from "../support/text-edits.ts";
import { REVIEWS } from "./graph-support.ts";
import { callTool, mcpRequest, newTenant } from "./support/clients.ts";
import {
  argumentsFor,
  deepJsonText,
  deepObjectText,
  type Hints,
  hostileHeader,
  hostileJson,
  hostileString,
  type JsonSchema,
} from "./support/hostile-arbitraries.ts";
import { mcpHeaders, toolCallBody } from "./support/hostile-harness.ts";
import { expectGreetRuns, hostileSuite, sendableHeaders } from "./support/hostile-suite.ts";
import { publishAndStart } from "./support/runs.ts";
import { expectNoStrayObjects } from "./support/stored-objects.ts";
import { FAN_OUT, FLAKY, GREET, SLEEPER } from "./support/workflows.ts";

/** Generated argument sets per registered tool. */
const RUNS_PER_TOOL = 200;
const ENVELOPES = 1_000;
const RAW_BODIES = 800;

let b: { id: string; apiKey: string };
let runOfB: string;
/** live runs of tenant A, refreshed as generated calls finish or cancel them */
const pool: string[] = [];
let started = 0;

const FIXTURES: { yaml: string; inputs: Record<string, unknown> }[] = [
  { yaml: GREET, inputs: { name: "A" } },
  { yaml: FAN_OUT, inputs: { files: ["a.ts", "b.ts"] } },
  { yaml: SLEEPER, inputs: {} },
  { yaml: FLAKY, inputs: {} },
  { yaml: REVIEWS, inputs: {} },
];

async function startPoolRun(): Promise<void> {
  const fixture = FIXTURES[started % FIXTURES.length]!;
  const started_ = await callTool(a.apiKey, "workflow_start", {
    workflow: /name: "([^"]+)"/.exec(fixture.yaml)![1],
    inputs: fixture.inputs,
  });
  expect(started_.isError).toBe(false);
  pool[started % FIXTURES.length] = started_.structured.workflow_id as string;
  started += 1;
}

/** `a`: the tenant the generated calls are aimed at; `b`'s run must stay out of its reach */
const { harness, tenant: a } = hostileSuite({
  suite: "mcp",
  minimum: 5_000,
  tenantPrefix: "hostile-a",
  setup: async () => {
    b = await newTenant("hostile-b");
    for (const fixture of FIXTURES) await callTool(a.apiKey, "workflow_publish", { yaml: fixture.yaml });
    for (let i = 0; i < FIXTURES.length; i += 1) await startPoolRun();
    runOfB = await publishAndStart(b.apiKey, GREET, { name: "B" });
  },
});

/** Placeholders the arbitraries generate, replaced by live ids when the request is sent. */
const HINTS: Hints = {
  workflow_id: ["$RUN0", "$RUN1", "$RUN2", "$RUN3", "$RUN4", "$RUN_OF_B", "wf_000000000000000000000000"],
  workflow: ["demo:greet", "demo:fan-out", "demo:sleeper", "demo:flaky", "graph:reviews", "demo:nothing"],
  version: ["1.0.0", "9.9.9"],
  step_id: [
    "hello",
    "pick",
    "check",
    "fan_out",
    "report",
    "lint",
    "call",
    "pause",
    "mark",
    "say",
    "api_review",
    "summary_write",
  ],
  task_id: ["lint_file.item0", "lint_file.item1", "lint_file.item9", "review_api", "review_ui", "summary"],
  claim: [0, 1, 2, -1],
  paths: [["this.count", "inputs.name", "this.__proto__", "this.constructor.prototype", "global.x"]],
  path: [
    "this.count",
    "this.__proto__.polluted",
    "this.constructor.prototype.polluted",
    "global.x",
    "inputs.name",
  ],
  yaml: [GREET, SLEEPER, "name: x", "a: &a [*a]"],
};

function withLiveIds(body: string): string {
  return body.replace(/\$RUN(\d|_OF_B)/g, (_match, slot: string) =>
    slot === "_OF_B" ? runOfB : (pool[Number(slot)] ?? "wf_000000000000000000000000"),
  );
}

async function sendTool(surface: string, name: string, args: unknown): Promise<void> {
  if (harness.total % 40 === 39) await startPoolRun();
  await harness.send(surface, "/mcp", {
    method: "POST",
    headers: mcpHeaders(a.apiKey),
    body: withLiveIds(toolCallBody(name, args)),
  });
}

async function listedTools(): Promise<{ name: string; inputSchema: JsonSchema }[]> {
  const { body } = await mcpRequest(a.apiKey, "tools/list");
  return (body.result as { tools: { name: string; inputSchema: JsonSchema }[] }).tools;
}

/** A normal call of every kind still works: the DOs keep answering. */
async function expectStillServing(): Promise<void> {
  await expectGreetRuns(a.apiKey, await publishAndStart(a.apiKey, GREET, { name: "after" }), 3);
  expect((await callTool(b.apiKey, "workflow_get_status", { workflow_id: runOfB })).isError).toBe(false);
  expect((await callTool(a.apiKey, "workflow_list")).structured.count).toBe(FIXTURES.length);
}

describe("hostile input on /mcp", () => {
  it(`generated arguments for every registered tool (${RUNS_PER_TOOL} each)`, async () => {
    const tools = await listedTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOLS.map((tool) => tool.name).sort());
    for (const tool of tools) {
      await fc.assert(
        fc.asyncProperty(argumentsFor(tool.inputSchema, HINTS), (args) =>
          sendTool(`tool:${tool.name}`, tool.name, args),
        ),
        { numRuns: RUNS_PER_TOOL },
      );
    }
    harness.expectQuietLog();
    await expectNoStrayObjects();
    await expectStillServing();
    // ~20 s alone on the 2-core machine; twice that and more when other suites share its cores
  }, 120_000);

  it(`generated JSON-RPC envelopes and batches (${ENVELOPES})`, async () => {
    const names = TOOLS.map((tool) => tool.name);
    const method = fc.oneof(
      fc.constantFrom(
        "tools/call",
        "tools/list",
        "initialize",
        "ping",
        "notifications/initialized",
        "notifications/cancelled",
        "resources/list",
        "prompts/list",
        "completion/complete",
        "logging/setLevel",
      ),
      hostileString,
    );
    const params = fc.oneof(
      hostileJson,
      fc.record(
        {
          name: fc.oneof(fc.constantFrom(...names), hostileString),
          arguments: hostileJson,
          _meta: hostileJson,
        },
        { requiredKeys: [] },
      ),
    );
    const message = fc.record(
      {
        jsonrpc: fc.oneof(
          { weight: 5, arbitrary: fc.constant("2.0") },
          { weight: 1, arbitrary: hostileJson },
        ),
        id: fc.oneof(fc.integer(), hostileString, fc.constant(null), hostileJson),
        method,
        params,
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      { weight: 4, arbitrary: message },
      { weight: 1, arbitrary: fc.array(message, { maxLength: 3 }) },
    );
    await fc.assert(
      fc.asyncProperty(body, (value) =>
        harness
          .send("envelope", "/mcp", {
            method: "POST",
            headers: mcpHeaders(a.apiKey),
            body: withLiveIds(JSON.stringify(value)),
          })
          .then(() => undefined),
      ),
      { numRuns: ENVELOPES },
    );
    harness.expectQuietLog();
  });

  it(`raw bodies and headers (${RAW_BODIES})`, async () => {
    const valid = [
      toolCallBody("workflow_list", {}),
      toolCallBody("workflow_get_status", { workflow_id: "$RUN0" }),
      toolCallBody("workflow_state_update", {
        workflow_id: "$RUN0",
        updates: [{ path: "this.count", value: 2 }],
      }),
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    ];
    const text = fc.oneof(
      {
        weight: 4,
        arbitrary: mutatedText(valid, ["{", "}", "[", "]", '"', ",", ":", "\\", "\\u", "null", "__proto__"]),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
    );
    const bytes = fc.uint8Array({ maxLength: 300 });
    const header = fc.option(
      fc.oneof(hostileHeader, fc.constantFrom("application/json", "text/event-stream", "*/*")),
      {
        nil: undefined,
      },
    );
    const authorization = fc.oneof(
      { weight: 6, arbitrary: fc.constant({ tenant: "a" }) },
      { weight: 1, arbitrary: fc.constant({ tenant: "b" }) },
      { weight: 1, arbitrary: hostileHeader.map((value) => ({ raw: `Bearer ${value}` })) },
      { weight: 1, arbitrary: hostileHeader.map((value) => ({ raw: value })) },
    );
    const request = fc.record({
      body: fc.oneof({ weight: 3, arbitrary: text }, { weight: 1, arbitrary: bytes }),
      contentType: header,
      accept: header,
      protocol: fc.option(
        fc.oneof(fc.constantFrom("2025-06-18", "2026-07-28", "2024-11-05"), hostileHeader),
        {
          nil: undefined,
        },
      ),
      authorization,
      method: fc.constantFrom("POST", "POST", "POST", "GET", "DELETE", "PUT", "PATCH", "OPTIONS"),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const auth = r.authorization;
        const key = "tenant" in auth ? `Bearer ${auth.tenant === "a" ? a.apiKey : b.apiKey}` : auth.raw;
        const headers = sendableHeaders({
          authorization: key,
          "content-type": r.contentType,
          accept: r.accept,
          "mcp-protocol-version": r.protocol,
        });
        const body = typeof r.body === "string" ? withLiveIds(r.body) : r.body;
        const init: RequestInit = { method: r.method, headers };
        if (r.method !== "GET" && r.method !== "OPTIONS") init.body = body;
        await harness.send("raw", "/mcp", init);
      }),
      { numRuns: RAW_BODIES },
    );
    harness.expectQuietLog();
    await expectStillServing();
  });

  it("deeply nested JSON (100k levels) in the envelope and in every tool's arguments", async () => {
    const deepArrays = deepJsonText(100_000);
    const deepObjects = deepObjectText(100_000);
    const bodies = [
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${deepArrays}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${deepObjects}}`,
      deepArrays,
      `{"jsonrpc":"2.0","id":${deepArrays},"method":"tools/list"}`,
    ];
    for (const tool of TOOLS) {
      for (const deep of [deepArrays, deepObjects]) {
        bodies.push(
          `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"${tool.name}","arguments":${deep}}}`,
        );
      }
    }
    const run = "$RUN0";
    for (const deep of [deepArrays, deepObjects, deepJsonText(10_000), deepJsonText(200)]) {
      const args = [
        ["workflow_step_complete", `{"workflow_id":"${run}","step_id":"pick","result":${deep}}`],
        ["workflow_step_complete", `{"workflow_id":"${run}","step_id":"pick","result":{"n":${deep}}}`],
        [
          "workflow_state_update",
          `{"workflow_id":"${run}","updates":[{"path":"this.count","value":${deep}}]}`,
        ],
        [
          "workflow_state_update",
          `{"workflow_id":"${run}","updates":[{"path":"global.deep","value":${deep}}]}`,
        ],
        ["workflow_start", `{"workflow":"demo:greet","inputs":{"name":${deep}}}`],
        ["workflow_start", `{"workflow":"demo:greet","inputs":${JSON.stringify(`{"name":${deep}}`)}}`],
        [
          "workflow_state_update",
          `{"workflow_id":"${run}","updates":${JSON.stringify(`[{"path":"this.count","value":${deep}}]`)}}`,
        ],
      ];
      for (const [name, json] of args) {
        bodies.push(
          `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"${name}","arguments":${json}}}`,
        );
      }
    }
    for (const body of bodies) {
      await harness.send("classic:deep", "/mcp", {
        method: "POST",
        headers: mcpHeaders(a.apiKey),
        body: withLiveIds(body),
      });
    }
    harness.expectQuietLog();
    await expectStillServing();
  });

  it("10 MB bodies, declared and streamed, and invalid UTF-8", async () => {
    const big = toolCallBody("workflow_validate", { yaml: "x".repeat(10 * 1024 * 1024) });
    const declared = await harness.send("classic:10MB", "/mcp", {
      method: "POST",
      headers: mcpHeaders(a.apiKey),
      body: big,
    });
    expect(declared.status).toBe(413);
    const streamed = await harness.send("classic:10MB", "/mcp", {
      method: "POST",
      headers: mcpHeaders(a.apiKey),
      body: new Blob([big]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    const prefix = new TextEncoder().encode(
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"',
    );
    const invalid = [
      [0xff, 0xfe, 0xfd],
      [0xc3, 0x28],
      [0xe2, 0x82],
      [0xf0, 0x28, 0x8c, 0x28],
      [0xed, 0xa0, 0x80],
      [0xc0, 0xaf],
    ];
    for (const sequence of invalid) {
      for (const body of [
        new Uint8Array(sequence),
        concat(prefix, new Uint8Array(sequence), new TextEncoder().encode('","arguments":{}}}')),
        concat(
          new TextEncoder().encode(toolCallBody("workflow_validate", { yaml: "name: x\n" }).slice(0, -4)),
          new Uint8Array(sequence),
          new TextEncoder().encode('"}}}'),
        ),
      ]) {
        await harness.send("classic:utf8", "/mcp", { method: "POST", headers: mcpHeaders(a.apiKey), body });
      }
    }
    harness.expectQuietLog();
  });

  it("__proto__, constructor and prototype in arguments, state paths and values", async () => {
    const run = await publishAndStart(a.apiKey, GREET, { name: "proto" });
    const raw = [
      toolCallBody("workflow_list", JSON.parse('{"__proto__": {"polluted": 1}}')),
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"__proto__":{"name":"workflow_list"},"name":"workflow_list","arguments":{}}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"__proto__","arguments":{}}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"constructor","arguments":{}}}`,
      `{"jsonrpc":"2.0","id":1,"method":"__proto__","params":{}}`,
      `{"jsonrpc":"2.0","id":1,"method":"constructor","params":{}}`,
      `{"__proto__":{"jsonrpc":"2.0","id":1,"method":"tools/list"}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"workflow_start","arguments":{"workflow":"demo:greet","inputs":{"name":"x","__proto__":{"polluted":1}}}}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"workflow_start","arguments":{"workflow":"demo:greet","inputs":"{\\"name\\":\\"x\\",\\"__proto__\\":{\\"polluted\\":1}}"}}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"workflow_start","arguments":{"workflow":"__proto__"}}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"workflow_get_info","arguments":{"workflow":"constructor","version":"__proto__"}}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"workflow_step_complete","arguments":{"workflow_id":"${run}","step_id":"pick","result":{"n":1,"__proto__":{"polluted":1}}}}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"workflow_step_complete","arguments":{"workflow_id":"${run}","step_id":"__proto__","result":{}}}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"workflow_step_complete","arguments":{"workflow_id":"${run}","step_id":"pick","task_id":"__proto__"}}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"workflow_get_next_step","arguments":{"workflow_id":"${run}","task_id":"constructor"}}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"workflow_state_read","arguments":{"workflow_id":"${run}","task_id":"__proto__"}}}`,
    ];
    for (const path of [
      "this.__proto__.polluted",
      "this.__proto__",
      "this.constructor.prototype.polluted",
      'this["__proto__"].polluted',
      "global.__proto__.polluted",
      "global.constructor",
      "inputs.__proto__",
      "this.count.constructor",
      "__proto__.polluted",
      "this.prototype",
    ]) {
      raw.push(
        toolCallBody("workflow_state_update", { workflow_id: run, updates: [{ path, value: 1 }] }),
        toolCallBody("workflow_state_update", {
          workflow_id: run,
          updates: [{ path, value: { polluted: 1 }, operation: "merge" }],
        }),
        toolCallBody("workflow_state_read", { workflow_id: run, paths: [path] }),
      );
    }
    for (const operation of ["set", "merge", "append"]) {
      raw.push(
        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"workflow_state_update","arguments":{"workflow_id":"${run}","updates":[{"path":"global.obj","operation":"${operation}","value":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}}]}}}`,
      );
    }
    for (const body of raw) {
      const answer = await harness.send("classic:proto", "/mcp", {
        method: "POST",
        headers: mcpHeaders(a.apiKey),
        body,
      });
      expect(answer.text).not.toContain('"polluted":1}}}');
    }
    harness.expectPrototypesIntact();
    const state = await callTool(a.apiKey, "workflow_state_read", { workflow_id: run });
    expect(Object.getPrototypeOf(state.structured.state)).toBe(Object.prototype);
    harness.expectQuietLog();
    await expectStillServing();
  });
});

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
