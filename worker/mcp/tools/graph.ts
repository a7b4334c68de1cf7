/**
 * @module
 * `workflow_graph`: a dependency graph as Mermaid text (`flowchart TD`, an arrow from each task to
 * the tasks that need it). Of a run (`workflow_id`): the graph of its `dependency_flow` step as it
 * runs, each task coloured by its status, with counts per status. Of a published workflow
 * (`workflow`): its `dependencies` block as written, with its critical path by number of tasks.
 */
import { z } from "zod";
import { tenantStub } from "../../../durable-objects/bindings.ts";
import { unwrap } from "../../../durable-objects/outcome.ts";
import { EngineError } from "../../../engine/errors.ts";
import { criticalPath, graphFromDependencies, toMermaid } from "../../../engine/graph/index.ts";
import { existingRunStub } from "../existing-run.ts";
import { runIdArg, versionArg, workflowNameArg } from "../schemas.ts";
import { defineTool } from "../tool-kit.ts";

const DEFAULT_MAX_TASKS = 500;

export const criticalPathSchema = z
  .object({
    tasks: z.array(z.string()).describe("task ids from first to last"),
    length: z.number().describe("total duration in ms (unit ms) or number of tasks (unit tasks)"),
    unit: z.enum(["ms", "tasks"]),
  })
  .describe("the chain of dependent tasks that took (or would take) longest");

export const workflowGraph = defineTool({
  name: "workflow_graph",
  title: "Dependency graph as Mermaid",
  description:
    "Returns a dependency graph as Mermaid flowchart text, ready to render. Pass workflow_id for the graph a run's " +
    "dependency_flow step is running (each task coloured by status: waiting, ready, running, success, failed, skipped, " +
    "upstream_failed; with counts per status), or workflow (and optionally version) for a published definition's " +
    "dependencies block. Graphs past max_tasks (default 500) are cut, with a note saying how many were left out. " +
    "Read-only; workflow_get_status gives the counts and the critical path without the drawing.",
  input: z.strictObject({
    workflow_id: runIdArg.optional(),
    workflow: workflowNameArg.optional(),
    version: versionArg.optional(),
    max_tasks: z.number().int().min(1).max(5000).optional().describe("most tasks drawn (default 500)"),
    direction: z.enum(["TD", "LR"]).optional().describe("top-down (default) or left-right"),
  }),
  output: z.object({
    source: z.enum(["run", "workflow"]),
    workflow_id: z.string().optional(),
    workflow: z.string().optional(),
    version: z.string().optional(),
    step_id: z.string().optional().describe("the dependency_flow step running the graph"),
    status: z.enum(["running", "finished"]).optional(),
    total: z.number().int().describe("tasks in the graph (for a run: for_each branches included)"),
    shown: z.number().int(),
    not_shown: z.number().int(),
    counts: z.record(z.string(), z.number().int()).optional().describe("tasks per status (runs only)"),
    critical_path: criticalPathSchema.optional(),
    mermaid: z.string(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ workflow_id, workflow, version, max_tasks, direction }, { env, tenant }) {
    const maxTasks = max_tasks ?? DEFAULT_MAX_TASKS;
    const options = { maxTasks, ...(direction === undefined ? {} : { direction }) };
    if ((workflow_id === undefined) === (workflow === undefined)) {
      throw new EngineError(
        "input.invalid",
        "Pass either workflow_id (a run) or workflow (a published definition).",
        {
          path: "workflow_id",
        },
      );
    }
    if (workflow_id !== undefined) {
      const stub = await existingRunStub(env, tenant, workflow_id);
      const view = await unwrap(stub.graph(tenant, workflow_id, options));
      return { source: "run" as const, ...view };
    }
    const { workflow: stored } = await unwrap(
      tenantStub(env, tenant).getWorkflow(tenant, workflow!, version),
    );
    const dependencies = stored.definition.dependencies;
    if (dependencies === undefined || Object.keys(dependencies).length === 0) {
      throw new EngineError(
        "graph.not_found",
        `Workflow ${stored.name}@${stored.version} has no dependencies block.`,
        {
          path: "workflow",
        },
      );
    }
    const graph = graphFromDependencies(dependencies);
    return {
      source: "workflow" as const,
      workflow: stored.name,
      version: stored.version,
      total: graph.tasks.length,
      shown: Math.min(graph.tasks.length, maxTasks),
      not_shown: Math.max(0, graph.tasks.length - maxTasks),
      critical_path: criticalPath(graph),
      mermaid: toMermaid(graph, undefined, options),
    };
  },
});
