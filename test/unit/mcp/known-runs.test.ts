/**
 * The known-runs memo's bound and isolation (worker/mcp/known-runs.ts), on a test clock: a run the
 * tenant's index confirmed is trusted for less than KNOWN_RUN_MS, only for that tenant, never for
 * a clock that went back; the switch turns it off.
 */
import { describe, expect, it } from "vitest";
import {
  KNOWN_RUN_MS,
  knownRunsOn,
  recentlyConfirmedRun,
  rememberConfirmedRun,
} from "../../../worker/mcp/known-runs.ts";

describe("known runs", () => {
  it("trusts a confirmed run for less than the bound, then asks the index again", () => {
    rememberConfirmedRun("tenant-a", "run-1", 20_000);
    expect(KNOWN_RUN_MS).toBeLessThanOrEqual(1_000);
    expect(recentlyConfirmedRun("tenant-a", "run-1", 20_000 + KNOWN_RUN_MS - 1)).toBe(true);
    expect(recentlyConfirmedRun("tenant-a", "run-1", 20_000 + KNOWN_RUN_MS)).toBe(false);
    expect(recentlyConfirmedRun("tenant-a", "run-1", 20_001)).toBe(false);
  });

  it("never lets one tenant's confirmation open another tenant's run", () => {
    rememberConfirmedRun("tenant-a", "run-2", 1_000);
    expect(recentlyConfirmedRun("tenant-b", "run-2", 1_000)).toBe(false);
    // ids that would collide if tenant and run were simply concatenated
    rememberConfirmedRun("ab", "c", 1_000);
    expect(recentlyConfirmedRun("a", "bc", 1_000)).toBe(false);
  });

  it("never trusts a confirmation from the future (a clock that went back)", () => {
    rememberConfirmedRun("tenant-a", "run-3", 9_000);
    expect(recentlyConfirmedRun("tenant-a", "run-3", 8_999)).toBe(false);
  });

  it("keeps at most 4,096 runs, dropping the oldest", () => {
    for (let i = 0; i < 4_097; i += 1) rememberConfirmedRun("tenant-many", `run-${i}`, 3_000);
    expect(recentlyConfirmedRun("tenant-many", "run-0", 3_000)).toBe(false);
    expect(recentlyConfirmedRun("tenant-many", "run-4096", 3_000)).toBe(true);
  });

  it("is on unless EDGEFLOW_MCP_KNOWN_RUNS=0", () => {
    expect(knownRunsOn({})).toBe(true);
    expect(knownRunsOn({ EDGEFLOW_MCP_KNOWN_RUNS: "1" })).toBe(true);
    expect(knownRunsOn({ EDGEFLOW_MCP_KNOWN_RUNS: "0" })).toBe(false);
  });
});
