/**
 * Issue 14 fix (lifecycle fan-out): the `run.` namespace is edgeflow's own, and a wildcard pattern
 * takes a type in it only when the pattern itself starts with `run.`; exact names and `run.*`
 * still match, and every other type matches as before.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchesEventPattern } from "../../../engine/events/event-pattern.ts";

const segment = fc.stringMatching(/^[a-z0-9_]{1,8}$/);

describe("event patterns and the run. namespace", () => {
  it("catch-all and other wildcard patterns never match a run. type", () => {
    for (const pattern of ["*", "**", "r*", "ru*", "run*", "*.completed", "*completed", "*.*"]) {
      for (const type of ["run.started", "run.completed", "run.failed", "run.cancelled"])
        expect({ pattern, type, matches: matchesEventPattern(pattern, type) }).toEqual({
          pattern,
          type,
          matches: false,
        });
    }
  });

  it("a pattern that names the namespace, or the exact type, still matches", () => {
    expect(matchesEventPattern("run.*", "run.completed")).toBe(true);
    expect(matchesEventPattern("run.*", "run.started")).toBe(true);
    expect(matchesEventPattern("run.c*", "run.completed")).toBe(true);
    expect(matchesEventPattern("run.completed", "run.completed")).toBe(true);
  });

  it("property: a wildcard not starting with run. never matches run.<x>; other types are unaffected", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(segment, fc.constant("*")), { minLength: 1, maxLength: 4 }),
        segment,
        (parts, x) => {
          const pattern = parts.join(".");
          fc.pre(pattern.includes("*") && !pattern.startsWith("run."));
          expect(matchesEventPattern(pattern, `run.${x}`)).toBe(false);
          // the same pattern over a type outside the namespace behaves as a plain glob
          const glob = new RegExp(
            `^${pattern
              .split("*")
              .map((p) => p.replace(/\./g, "\\."))
              .join(".*")}$`,
            "s",
          );
          expect(matchesEventPattern(pattern, `job.${x}`)).toBe(glob.test(`job.${x}`));
        },
      ),
    );
  });
});
