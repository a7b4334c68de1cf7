/**
 * @module
 * The `observability` benchmark's OTLP/HTTP sink (bench/otlp-sink.ts) counts what edgeflow's
 * encoder sends (engine/telemetry/otlp-json.ts): spans, run (root) spans, spans by workflow and the
 * runs seen; a request without the bearer token, on another path or not OTLP JSON is refused and
 * counts nothing.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type OtlpSink, startOtlpSink } from "../../../bench/otlp-sink.ts";
import { otlpTraceRequest } from "../../../engine/telemetry/otlp-json.ts";
import type { RecordedSpan } from "../../../engine/telemetry/span.ts";

const TOKEN = "sink-token";
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

function span(spanId: string, kind: RecordedSpan["kind"], runId: string, workflow: string): RecordedSpan {
  return {
    traceId: TRACE,
    spanId,
    name: kind === "server" ? `run ${workflow}` : "step work",
    kind,
    startMs: 1_000,
    endMs: 2_000,
    attributes: { "edgeflow.run.id": runId, "edgeflow.workflow": workflow },
    status: { code: "ok" },
  };
}

function post(sink: OtlpSink, body: string, headers: Record<string, string>, url = sink.endpoint) {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
}

describe("bench OTLP sink", () => {
  let sink: OtlpSink | undefined;
  afterEach(async () => {
    await sink?.stop();
    sink = undefined;
  });

  it("counts the spans of an accepted export, by workflow, and the runs of its root spans", async () => {
    sink = await startOtlpSink(TOKEN);
    const body = JSON.stringify(
      otlpTraceRequest("acme", [
        span("00f067aa0ba902b7", "server", "run-1", "w:a"),
        span("00f067aa0ba902b8", "internal", "run-1", "w:a"),
        span("00f067aa0ba902b9", "internal", "run-2", "w:b"),
      ]),
    );
    const res = await post(sink, body, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(sink.counts()).toEqual({
      requests: 1,
      spans: 3,
      rootSpans: 1,
      spansByWorkflow: { "w:a": 2, "w:b": 1 },
      refused: 0,
    });
    expect(sink.sawRun("run-1")).toBe(true);
    expect(sink.sawRun("run-2")).toBe(false);
  });

  it("refuses a wrong token, another path and a body that is not OTLP JSON, counting no span", async () => {
    sink = await startOtlpSink(TOKEN);
    const body = JSON.stringify(otlpTraceRequest("acme", [span("00f067aa0ba902b7", "server", "r", "w")]));
    expect((await post(sink, body, { authorization: "Bearer other" })).status).toBe(401);
    expect((await post(sink, body, {})).status).toBe(401);
    const elsewhere = sink.endpoint.replace("/v1/traces", "/v1/logs");
    expect((await post(sink, body, { authorization: `Bearer ${TOKEN}` }, elsewhere)).status).toBe(404);
    expect((await post(sink, "{not json", { authorization: `Bearer ${TOKEN}` })).status).toBe(400);
    expect((await post(sink, "{}", { authorization: `Bearer ${TOKEN}` })).status).toBe(400);
    expect(sink.counts()).toMatchObject({ requests: 0, spans: 0, refused: 5 });
  });
});
