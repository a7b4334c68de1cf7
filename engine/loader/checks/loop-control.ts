/**
 * @module
 * `break` and `continue` only inside a `while_loop` or `foreach` body (`loader.break_outside_loop`).
 */
import { errorFinding, type Finding } from "../diagnostic.ts";
import { walkSteps } from "../step-walk.ts";

export function checkLoopControl(document: unknown): Finding[] {
  const findings: Finding[] = [];
  walkSteps(document, ({ step, path, loopDepth }) => {
    if ((step.type === "break" || step.type === "continue") && loopDepth === 0) {
      findings.push(
        errorFinding(
          "loader.break_outside_loop",
          `"${step.type}" is only allowed inside a while_loop or foreach body`,
          [...path, "type"],
        ),
      );
    }
  });
  return findings;
}
