/**
 * @module
 * A circuit breaker per tenant and service, as a pure state machine: `closed` counts consecutive
 * failures and opens after `failureThreshold` of them; `open` refuses calls until `coolDownSeconds`
 * have passed, then lets one trial call through (`half_open`); the trial's success closes it, its
 * failure opens it again for another cool-down. The TenantDO stores the state and passes `now`.
 */
import { MAX_FAILURE_THRESHOLD, MIN_COOL_DOWN_SECONDS } from "./circuit-config.ts";

export type CircuitStatus = "closed" | "open" | "half_open";

export interface CircuitSettings {
  /** consecutive failures that open the circuit (default 5) */
  failureThreshold: number;
  /** seconds an open circuit refuses calls before a trial (default 30) */
  coolDownSeconds: number;
}

export const CIRCUIT_DEFAULTS: CircuitSettings = { failureThreshold: 5, coolDownSeconds: 30 };

export interface CircuitState {
  status: CircuitStatus;
  consecutiveFailures: number;
  /** when the circuit last opened (ms) */
  openedAt?: number;
  /** a half-open circuit's trial is out since this time (ms) */
  trialSince?: number;
}

export const CLOSED: CircuitState = { status: "closed", consecutiveFailures: 0 };

/** The status as seen at `now`: an open circuit whose cool-down has passed reads `half_open`. */
export function circuitStatusAt(state: CircuitState, settings: CircuitSettings, now: number): CircuitStatus {
  if (state.status === "open" && now >= (state.openedAt ?? 0) + settings.coolDownSeconds * 1000)
    return "half_open";
  return state.status;
}

/**
 * Whether a call may go out at `now`, and the state to store if it does. In `half_open` one
 * trial goes out; others are refused until it answers (or until a cool-down passes, in case the
 * trial's answer was lost in a crash).
 */
export function admitCall(
  state: CircuitState,
  settings: CircuitSettings,
  now: number,
): { admitted: true; state: CircuitState } | { admitted: false; retryAfterSeconds: number } {
  const status = circuitStatusAt(state, settings, now);
  const coolDownMs = settings.coolDownSeconds * 1000;
  if (status === "closed") return { admitted: true, state };
  if (status === "open") {
    const left = (state.openedAt ?? now) + coolDownMs - now;
    return { admitted: false, retryAfterSeconds: Math.max(0, Math.ceil(left / 1000)) };
  }
  if (state.trialSince !== undefined && now < state.trialSince + coolDownMs) {
    return { admitted: false, retryAfterSeconds: Math.ceil((state.trialSince + coolDownMs - now) / 1000) };
  }
  return { admitted: true, state: { ...state, status: "half_open", trialSince: now } };
}

/** The state after a call's answer: a success closes the circuit, a failure counts. */
export function recordCallResult(
  state: CircuitState,
  settings: CircuitSettings,
  succeeded: boolean,
  now: number,
): CircuitState {
  if (succeeded) return CLOSED;
  if (state.status === "half_open")
    return { status: "open", consecutiveFailures: state.consecutiveFailures + 1, openedAt: now };
  const failures = state.consecutiveFailures + 1;
  if (failures >= settings.failureThreshold)
    return { status: "open", consecutiveFailures: failures, openedAt: now };
  return { status: "closed", consecutiveFailures: failures };
}

/** A service config's `circuit: {failure_threshold, cool_down_seconds}`, defaults filled in. */
export function circuitSettingsOf(config: Readonly<Record<string, unknown>>): CircuitSettings {
  const circuit = config.circuit;
  const fields = circuit !== null && typeof circuit === "object" ? (circuit as Record<string, unknown>) : {};
  const threshold = fields.failure_threshold;
  const coolDown = fields.cool_down_seconds;
  // versions stored before the bounds were checked: clamped into them
  return {
    failureThreshold:
      typeof threshold === "number" && Number.isInteger(threshold) && threshold >= 1
        ? Math.min(threshold, MAX_FAILURE_THRESHOLD)
        : CIRCUIT_DEFAULTS.failureThreshold,
    coolDownSeconds:
      typeof coolDown === "number" && coolDown >= 0 && Number.isFinite(coolDown)
        ? Math.max(coolDown, MIN_COOL_DOWN_SECONDS)
        : CIRCUIT_DEFAULTS.coolDownSeconds,
  };
}
