/**
 * @module
 * Snapshots of a run's state that are safe to hand out: a deep copy in which every secret value
 * (of 4 characters or more) found inside a string, an object key or a number's digits is replaced
 * by "[redacted]". Env values never live in StateData, but a workflow may copy one into state.
 * Must not return any object shared with the state it copies.
 */
import type { StateData } from "./types.ts";

export const REDACTED = "[redacted]";
/** Shorter secrets are not searched for: they would redact ordinary words and numbers. */
export const MIN_SECRET_LENGTH = 4;

export interface SnapshotOptions {
  /** the tenant's secrets (`env`), by name */
  secrets?: Readonly<Record<string, string>>;
}

/** What a state read returns. */
export interface StateSnapshot {
  inputs: Record<string, unknown>;
  state: Record<string, unknown>;
  global: Record<string, unknown>;
  computed: Record<string, unknown>;
}

/** A redacted deep copy of the readable tiers of `data` (not the computed fingerprints). */
export function snapshot(data: StateData, options: SnapshotOptions = {}): StateSnapshot {
  const matcher = secretMatcher(options.secrets);
  return {
    inputs: copyRedacted(data.inputs, matcher) as Record<string, unknown>,
    state: copyRedacted(data.state, matcher) as Record<string, unknown>,
    global: copyRedacted(data.global, matcher) as Record<string, unknown>,
    computed: copyRedacted(data.computed, matcher) as Record<string, unknown>,
  };
}

/** A deep copy of `value` with every secret replaced by "[redacted]". */
export function redactValue(value: unknown, secrets: Readonly<Record<string, string>> | undefined): unknown {
  return copyRedacted(value, secretMatcher(secrets));
}

function copyRedacted(value: unknown, matcher: RegExp | null): unknown {
  if (typeof value === "string") return matcher === null ? value : value.replace(matcher, REDACTED);
  if (typeof value === "number") {
    if (matcher === null) return value;
    const digits = String(value);
    const redacted = digits.replace(matcher, REDACTED);
    return redacted === digits ? value : redacted;
  }
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((element) => copyRedacted(element, matcher));
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const copiedKey = matcher === null ? key : key.replace(matcher, REDACTED);
    // defineProperty, not assignment: a "__proto__" key stays a plain key.
    Object.defineProperty(copy, copiedKey, {
      value: copyRedacted((value as Record<string, unknown>)[key], matcher),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/** One regex matching any secret, longest first so a secret inside another is not half-replaced. */
function secretMatcher(secrets: Readonly<Record<string, string>> | undefined): RegExp | null {
  // Not cached: a caller's secrets object may change between calls, and a stale matcher would leak.
  if (secrets === undefined) return null;
  const values = [...new Set(Object.values(secrets))]
    .filter((secret) => typeof secret === "string" && secret.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  return values.length === 0 ? null : new RegExp(values.map(escapeRegExp).join("|"), "g");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
