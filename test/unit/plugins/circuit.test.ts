/** The circuit breaker's three states, driven by a clock passed in (no wall clock). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  admitCall,
  type CircuitState,
  CLOSED,
  circuitSettingsOf,
  circuitStatusAt,
  recordCallResult,
} from "../../../engine/plugins/circuit.ts";
import { circuitConfigSchema } from "../../../engine/plugins/circuit-config.ts";

const settings = { failureThreshold: 3, coolDownSeconds: 30 };

function fail(state: CircuitState, now: number): CircuitState {
  return recordCallResult(state, settings, false, now);
}

describe("circuit breaker", () => {
  it("closed → open after N consecutive failures → half-open after the cool-down → closed on success", () => {
    let state = CLOSED;
    state = fail(fail(state, 0), 1);
    expect(state.status).toBe("closed");
    state = fail(state, 2);
    expect(state.status).toBe("open");
    expect(admitCall(state, settings, 10_000)).toEqual({ admitted: false, retryAfterSeconds: 21 });
    expect(circuitStatusAt(state, settings, 32_000)).toBe("half_open");
    const trial = admitCall(state, settings, 32_000);
    expect(trial.admitted).toBe(true);
    if (!trial.admitted) return;
    // one trial at a time
    expect(admitCall(trial.state, settings, 32_001).admitted).toBe(false);
    expect(recordCallResult(trial.state, settings, true, 32_500)).toEqual(CLOSED);
  });

  it("a failed trial opens it again for another cool-down", () => {
    let state = fail(fail(fail(CLOSED, 0), 0), 0);
    const trial = admitCall(state, settings, 30_000);
    if (!trial.admitted) throw new Error("trial refused");
    state = fail(trial.state, 30_100);
    expect(state).toMatchObject({ status: "open", openedAt: 30_100 });
    expect(admitCall(state, settings, 59_000).admitted).toBe(false);
  });

  it("a success resets the count of consecutive failures", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 40 }), (results) => {
        let state = CLOSED;
        let run = 0;
        for (const ok of results) {
          if (state.status !== "closed") return;
          state = recordCallResult(state, settings, ok, 0);
          run = ok ? 0 : run + 1;
          expect(state.status).toBe(run >= settings.failureThreshold ? "open" : "closed");
        }
      }),
    );
  });

  it("reads per-service settings, defaults 5 and 30 s", () => {
    expect(circuitSettingsOf({})).toEqual({ failureThreshold: 5, coolDownSeconds: 30 });
    expect(circuitSettingsOf({ circuit: { failure_threshold: 2, cool_down_seconds: 5 } })).toEqual({
      failureThreshold: 2,
      coolDownSeconds: 5,
    });
    expect(circuitSettingsOf({ circuit: { failure_threshold: 0, cool_down_seconds: -1 } })).toEqual({
      failureThreshold: 5,
      coolDownSeconds: 30,
    });
  });

  it("bounds the settings: at most 100 failures, at least 1 s of cool-down (stored versions clamped)", () => {
    expect(circuitConfigSchema.safeParse({ failure_threshold: 100, cool_down_seconds: 1 }).success).toBe(
      true,
    );
    expect(circuitConfigSchema.safeParse({ failure_threshold: 101 }).success).toBe(false);
    expect(circuitConfigSchema.safeParse({ cool_down_seconds: 0 }).success).toBe(false);
    expect(circuitConfigSchema.safeParse({ cool_down_seconds: 0.5 }).success).toBe(false);
    expect(circuitSettingsOf({ circuit: { failure_threshold: 1000, cool_down_seconds: 0 } })).toEqual({
      failureThreshold: 100,
      coolDownSeconds: 1,
    });
  });
});
