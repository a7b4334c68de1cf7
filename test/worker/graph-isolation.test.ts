/** workflow_graph reaches only the caller's tenant: B's key cannot draw A's run or A's workflow. */
import { describe, expect, it } from "vitest";
import { REVIEWS } from "./graph-support.ts";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { publishAndStart } from "./support/runs.ts";

describe("tenant isolation: workflow_graph", () => {
  it("B cannot draw A's run nor A's published workflow", async () => {
    const a = await newTenant("a");
    const b = await newTenant("b");
    const runOfA = await publishAndStart(a.apiKey, REVIEWS);
    const ofRun = await callTool(b.apiKey, "workflow_graph", { workflow_id: runOfA });
    expect(toolErrorOf(ofRun).code).toBe("run.not_found");
    expect(ofRun.text).not.toContain("review_api");
    const ofWorkflow = await callTool(b.apiKey, "workflow_graph", { workflow: "graph:reviews" });
    expect(toolErrorOf(ofWorkflow).code).toBe("workflow.not_found");
    expect((await callTool(a.apiKey, "workflow_graph", { workflow_id: runOfA })).isError).toBe(false);
  });
});
