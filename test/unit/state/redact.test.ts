import { describe, expect, it } from "vitest";
import { redactValue, snapshot } from "../../../engine/state/index.ts";
import { stateData } from "./state-data.ts";

const secrets = { API_TOKEN: "sk-live-abc123", SHORT: "abc", PIN: "987654", OVERLAP: "sk-live" };

describe("redactValue", () => {
  it("replaces secrets inside strings, at any depth, longest first", () => {
    expect(redactValue("Bearer sk-live-abc123", secrets)).toBe("Bearer [redacted]");
    expect(redactValue({ a: ["x sk-live-abc123 y sk-live-abc123"] }, secrets)).toEqual({
      a: ["x [redacted] y [redacted]"],
    });
    expect(redactValue("sk-live-other", secrets)).toBe("[redacted]-other");
  });

  it("ignores secrets shorter than 4 characters", () => {
    expect(redactValue("abcdef", secrets)).toBe("abcdef");
  });

  it("redacts object keys and numbers whose digits hold a secret", () => {
    expect(redactValue({ "sk-live-abc123": 1 }, secrets)).toEqual({ "[redacted]": 1 });
    expect(redactValue({ pin: 987654, other: 12 }, secrets)).toEqual({ pin: "[redacted]", other: 12 });
  });

  it("escapes regular-expression characters in secrets", () => {
    expect(redactValue("a.b*c+d?", { S: "b*c+" })).toBe("a.[redacted]d?");
    expect(redactValue("axbyyc", { S: "b*c+" })).toBe("axbyyc");
  });

  it("returns a deep copy and leaves other values alone", () => {
    const value = { list: [1, true, null, { x: "plain" }] };
    const copy = redactValue(value, secrets) as typeof value;
    expect(copy).toEqual(value);
    expect(copy).not.toBe(value);
    expect(copy.list).not.toBe(value.list);
    expect(copy.list[3]).not.toBe(value.list[3]);
    expect(redactValue("text", undefined)).toBe("text");
    expect(redactValue("text", {})).toBe("text");
  });
});

describe("snapshot", () => {
  const data = stateData({
    inputs: { token: "sk-live-abc123" },
    state: { header: "Authorization: Bearer sk-live-abc123", n: 1 },
    global: { copied: ["sk-live-abc123"] },
    computed: { length: 14, masked: "sk-live-abc123".slice(0, 4) },
    computedInputs: { length: "abc" },
  });

  it("copies the four readable tiers with secrets redacted and no fingerprints", () => {
    const snap = snapshot(data, { secrets });
    expect(snap).toEqual({
      inputs: { token: "[redacted]" },
      state: { header: "Authorization: Bearer [redacted]", n: 1 },
      global: { copied: ["[redacted]"] },
      computed: { length: 14, masked: "sk-l" },
    });
    expect(JSON.stringify(snap)).not.toContain("abc123");
  });

  it("never shares objects with the state", () => {
    const snap = snapshot(data);
    expect(snap.state).toEqual(data.state);
    expect(snap.state).not.toBe(data.state);
    expect(snap.global.copied).not.toBe(data.global.copied);
  });

  it("keeps a __proto__ key a plain key", () => {
    const poisoned = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const snap = snapshot(stateData({ state: poisoned }), { secrets });
    expect(Object.getPrototypeOf(snap.state)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
