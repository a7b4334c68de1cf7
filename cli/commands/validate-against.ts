/**
 * @module
 * `edgeflow validate <file> --against <old.yaml>`: the compatibility comparison publish makes
 * (docs/versioning.md, "Compatibility"), with the old file standing in for the published version.
 * Prints one line per difference, `file: breaking|compatible <kind> <path> <message>`, and, when
 * publish would refuse the file (a breaking change without a major version bump, not declared in
 * `breaking_changes`), a `publish.breaking_change` error on its `version`. Plugin majors come from
 * the `uses:` ranges (nothing is resolved against a catalog here).
 */
import type { WorkflowDefinition } from "../../engine/dialect/index.ts";
import type { Diagnostic } from "../../engine/loader/index.ts";
import { locate, parseYamlSource } from "../../engine/loader/yaml-source.ts";
import { describeRefusal, judgeCompatibility } from "../../engine/versions/compatibility-rule.ts";

export interface AgainstResult {
  lines: string[];
  /** the refusal, placed on the file's `version` (absent when publish would accept the file) */
  refusal?: Diagnostic;
}

export function compareAgainst(
  file: string,
  text: string,
  next: WorkflowDefinition,
  againstFile: string,
  previous: WorkflowDefinition,
): AgainstResult {
  const { report, refused } = judgeCompatibility(previous, next);
  const lines = [
    `${file}: ${report.changes.length} difference(s) against ${previous.name} ${previous.version} (${againstFile})`,
    ...report.changes.map(
      (change) =>
        `${file}: ${change.breaking ? "breaking" : "compatible"} ${change.kind} ${change.path} ${change.message}`,
    ),
  ];
  if (report.omitted !== undefined) lines.push(`${file}: and ${report.omitted} more difference(s)`);
  if (next.name !== previous.name) {
    lines.push(`${file}: note: comparing workflow "${next.name}" with "${previous.name}"`);
  }
  if (refused.length === 0) return { lines };
  const parsed = parseYamlSource(text);
  const position = parsed.ok ? locate(parsed.source, ["version"]) : undefined;
  const refusal: Diagnostic = {
    code: "publish.breaking_change",
    message: describeRefusal(previous.version, next.version, refused),
    severity: "error",
    path: "version",
    ...position,
  };
  return { lines, refusal };
}
