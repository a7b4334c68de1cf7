/**
 * @module
 * Every `parallel_foreach` names a task defined in `sub_agent_tasks` (`loader.unknown_sub_agent_task`).
 */
import { errorFinding, type Finding } from "../diagnostic.ts";
import { isPlainRecord, walkSteps } from "../step-walk.ts";

export function checkSubAgentReferences(document: unknown): Finding[] {
  const tasks =
    isPlainRecord(document) && isPlainRecord(document.sub_agent_tasks)
      ? Object.keys(document.sub_agent_tasks)
      : [];
  const findings: Finding[] = [];
  walkSteps(document, ({ step, path }) => {
    if (step.type !== "parallel_foreach" || typeof step.sub_agent_task !== "string") return;
    if (tasks.includes(step.sub_agent_task)) return;
    const known = tasks.length === 0 ? "the file defines no sub_agent_tasks" : `defined: ${tasks.join(", ")}`;
    findings.push(
      errorFinding(
        "loader.unknown_sub_agent_task",
        `sub_agent_task "${step.sub_agent_task}" is not defined in sub_agent_tasks (${known})`,
        [...path, "sub_agent_task"],
      ),
    );
  });
  return findings;
}
