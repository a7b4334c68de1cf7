/**
 * @module
 * Event patterns, the glob-ish names subscriptions match event types with: `*` matches any run
 * of characters (dots included), everything else matches itself. So `file_change` is exact,
 * `github.*` matches `github.push` and `github.pull_request.opened`, and `*` matches every event
 * except the run lifecycle events: the `run.` namespace is edgeflow's own (`run.started`,
 * `run.completed`, ...), and a pattern with `*` takes a type in it only when the pattern itself
 * starts with `run.`. A catch-all subscription never hears the runs it starts.
 */
import { z } from "zod";
import { BoundedCache } from "../expressions/bounded-cache.ts";

export const EVENT_PATTERN_PATTERN = /^[A-Za-z0-9_.:/*-]+$/;

export const eventPatternSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(EVENT_PATTERN_PATTERN, "an event pattern is an event type where * matches anything (e.g. github.*)")
  .describe("Event types to match: exact, or with * matching any characters (github.*, *)");

const compiled = new BoundedCache<string, RegExp>(1024);

/** The reserved namespace of run lifecycle event types: only a pattern that names it reaches it. */
export const LIFECYCLE_TYPE_PREFIX = "run.";

/** Whether `type` matches `pattern`. */
export function matchesEventPattern(pattern: string, type: string): boolean {
  if (!pattern.includes("*")) return pattern === type;
  if (type.startsWith(LIFECYCLE_TYPE_PREFIX) && !pattern.startsWith(LIFECYCLE_TYPE_PREFIX)) return false;
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    const body = pattern
      .split("*")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"))
      .join(".*");
    regex = new RegExp(`^${body}$`, "s");
    compiled.set(pattern, regex);
  }
  return regex.test(type);
}
