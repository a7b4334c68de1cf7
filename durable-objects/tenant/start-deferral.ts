/**
 * @module
 * When a delivery's runs start: at once, or later by the alarm's drain. An idle tenant starts an
 * event's runs right after the commit that answers it (event → first step in milliseconds). Once
 * `DEFER_STARTS_ABOVE` starts are already in flight, new ones are stored due now and left to the
 * alarm, which takes up to 100 pending starts per pass (`due-timers.ts`) and re-arms at once while
 * more are due: the ack no longer waits behind RunDO calls it does not need, and runs start at the
 * pace the TenantDO sustains. The promise is unchanged: the pending-start row is in the same
 * transaction as the event, so a 202 still ends in its runs, and the pre-minted run id keeps a
 * start from running twice. `EDGEFLOW_INTAKE_DEFER_STARTS=off` starts every run at once (the
 * benchmark measures both).
 */

/** Starts in flight from which an event's runs are left to the alarm's drain. */
export const DEFER_STARTS_ABOVE = 8;

export interface StartDeferral {
  /** whether the runs of an event stored now go to the drain rather than start at once */
  defer(inFlight: number): boolean;
}

/** The policy from the TenantDO's environment (`EDGEFLOW_INTAKE_DEFER_STARTS`). */
export function startDeferralOf(setting: string | undefined): StartDeferral {
  const enabled = setting !== "off";
  return { defer: (inFlight) => enabled && inFlight >= DEFER_STARTS_ABOVE };
}
