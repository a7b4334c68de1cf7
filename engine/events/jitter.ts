/**
 * @module
 * Deterministic schedule jitter: a schedule's fires are delayed by a fixed offset derived from
 * a hash of its id (FNV-1a, 32 bits), so many schedules on the same cron spread out, yet a
 * restart, a re-deploy or a second replica computes the same offset and the same due times.
 */

/** The delay in ms, in [0, jitterSeconds × 1000), of every fire of schedule `scheduleId`. */
export function jitterOffsetMs(scheduleId: string, jitterSeconds: number | undefined): number {
  const spanMs = Math.floor((jitterSeconds ?? 0) * 1000);
  if (!(spanMs > 0)) return 0;
  return fnv1a32(scheduleId) % spanMs;
}

/** FNV-1a over the UTF-16 code units of `text`, as an unsigned 32-bit integer. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
