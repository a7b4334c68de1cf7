/**
 * @module
 * At most `MAX_FINDINGS_PER_CODE` findings of each code per file, in the order the checks found
 * them; the rest become one `check.truncated` warning per code saying how many were left out. It
 * keeps the answer small (a file with thousands of misspelt names would otherwise answer megabytes)
 * and bounds the work of placing findings in the file. Pure.
 */
import type { StaticProblem } from "./unresolved-names.ts";

export const MAX_FINDINGS_PER_CODE = 100;

export function capFindings(
  problems: readonly StaticProblem[],
  perCode: number = MAX_FINDINGS_PER_CODE,
): StaticProblem[] {
  const counts = new Map<string, number>();
  const kept: StaticProblem[] = [];
  for (const problem of problems) {
    const count = (counts.get(problem.code) ?? 0) + 1;
    counts.set(problem.code, count);
    if (count <= perCode) kept.push(problem);
  }
  for (const [code, count] of counts) {
    if (count <= perCode) continue;
    kept.push({
      code: "check.truncated",
      severity: "warning",
      path: [],
      offset: 0,
      message: `and ${count - perCode} more ${code} findings not listed (at most ${perCode} per code): fix those listed and validate again`,
    });
  }
  return kept;
}
