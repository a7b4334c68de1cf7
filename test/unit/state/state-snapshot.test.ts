/** A state snapshot is a deep copy of the readable tiers: nothing shared, no fingerprints, `__proto__` kept plain. */
import { describe, expect, it } from "vitest";
import { snapshot } from "../../../engine/state/index.ts";
import { stateData } from "./state-data.ts";

describe("snapshot", () => {
  const data = stateData({
    inputs: { token: "abc" },
    state: { header: "text", n: 1 },
    global: { copied: ["x"] },
    computed: { length: 14 },
    computedInputs: { length: "abc" },
  });

  it("copies the four readable tiers and no fingerprints", () => {
    expect(snapshot(data)).toEqual({
      inputs: { token: "abc" },
      state: { header: "text", n: 1 },
      global: { copied: ["x"] },
      computed: { length: 14 },
    });
  });

  it("never shares objects with the state", () => {
    const snap = snapshot(data);
    expect(snap.state).toEqual(data.state);
    expect(snap.state).not.toBe(data.state);
    expect(snap.global.copied).not.toBe(data.global.copied);
  });

  it("keeps a __proto__ key a plain key", () => {
    const poisoned = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const snap = snapshot(stateData({ state: poisoned }));
    expect(Object.getPrototypeOf(snap.state)).toBe(Object.prototype);
    expect(Object.keys(snap.state)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
