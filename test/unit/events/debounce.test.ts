/**
 * Debouncing file-system notifications for `edgeflow watch`: net effect per path within a
 * window (last event wins; created-then-deleted is nothing; an atomic save is one modify),
 * trailing quiet time and a maximum wait, checked by examples and against a model file system.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  coalesceFileChanges,
  FileChangeDebouncer,
  type FileNotification,
} from "../../../engine/events/debounce.ts";
import type { FileChangeKind } from "../../../engine/events/event.ts";

const at = (path: string, change: FileChangeKind, time: number): FileNotification => ({
  path,
  change,
  at: time,
});

describe("coalesceFileChanges", () => {
  it.each([
    ["many writes", ["modified", "modified", "modified"], "modified"],
    ["modified then deleted (last wins)", ["modified", "deleted"], "deleted"],
    ["created then modified (still new)", ["created", "modified", "modified"], "created"],
    ["an atomic save: deleted then created", ["deleted", "created"], "modified"],
    ["created then deleted", ["created", "deleted"], undefined],
    ["created, deleted, created again", ["created", "deleted", "created"], "created"],
  ] as const)("%s", (_name, changes, expected) => {
    const result = coalesceFileChanges(changes.map((change, i) => at("src/a.ts", change, i)));
    expect(result).toEqual(expected === undefined ? [] : [{ path: "src/a.ts", change: expected }]);
  });

  it("keeps paths apart and normalises them", () => {
    expect(
      coalesceFileChanges([
        at("./src\\a.ts", "modified", 1),
        at("src/b.ts", "created", 2),
        at("src/a.ts", "deleted", 3),
      ]),
    ).toEqual([
      { path: "src/a.ts", change: "deleted" },
      { path: "src/b.ts", change: "created" },
    ]);
  });
});

describe("FileChangeDebouncer", () => {
  it("waits for a quiet window after the last notification of a path", () => {
    const debouncer = new FileChangeDebouncer({ windowMs: 100 });
    debouncer.add(at("a.ts", "modified", 0));
    debouncer.add(at("a.ts", "modified", 80));
    expect(debouncer.nextFlushAt()).toBe(180);
    expect(debouncer.flush(179)).toEqual([]);
    expect(debouncer.flush(180)).toEqual([{ path: "a.ts", change: "modified" }]);
    expect(debouncer.pending).toBe(0);
    expect(debouncer.nextFlushAt()).toBeUndefined();
  });

  it("emits a path written continuously once maxWaitMs has passed", () => {
    const debouncer = new FileChangeDebouncer({ windowMs: 100, maxWaitMs: 500 });
    const emitted = [];
    for (let time = 0; time <= 1100; time += 50) {
      debouncer.add(at("app.log", "modified", time));
      emitted.push(...debouncer.flush(time));
    }
    expect(emitted).toEqual([
      { path: "app.log", change: "modified" },
      { path: "app.log", change: "modified" },
    ]);
  });

  it("settles each path on its own", () => {
    const debouncer = new FileChangeDebouncer({ windowMs: 100 });
    debouncer.add(at("early.ts", "created", 0));
    debouncer.add(at("late.ts", "created", 90));
    expect(debouncer.flush(100)).toEqual([{ path: "early.ts", change: "created" }]);
    expect(debouncer.flush(190)).toEqual([{ path: "late.ts", change: "created" }]);
  });

  it("emits nothing for a file created and deleted within the window", () => {
    const debouncer = new FileChangeDebouncer({ windowMs: 100 });
    debouncer.add(at("tmp.swp", "created", 0));
    debouncer.add(at("tmp.swp", "deleted", 10));
    expect(debouncer.flush(500)).toEqual([]);
    expect(debouncer.pending).toBe(0);
  });

  it("refuses a maximum wait shorter than the window", () => {
    expect(() => new FileChangeDebouncer({ windowMs: 100, maxWaitMs: 50 })).toThrow(RangeError);
  });

  it("replaying what it emits rebuilds the final file system, whatever the timing (model check)", () => {
    const paths = ["a", "b", "c"];
    const operations = fc.array(
      fc.record({
        path: fc.constantFrom(...paths),
        gap: fc.integer({ min: 0, max: 300 }),
        flush: fc.boolean(),
      }),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(fc.subarray(paths), operations, (initial, ops) => {
        const exists = new Set(initial);
        const debouncer = new FileChangeDebouncer({ windowMs: 100, maxWaitMs: 400 });
        const emitted = [];
        let now = 0;
        for (const { path, gap, flush } of ops) {
          now += gap;
          // A real file system: create what is absent, otherwise modify or delete.
          const change: FileChangeKind = !exists.has(path)
            ? "created"
            : gap % 2 === 0
              ? "modified"
              : "deleted";
          if (change === "deleted") exists.delete(path);
          else exists.add(path);
          debouncer.add({ path, change, at: now });
          if (flush) emitted.push(...debouncer.flush(now));
        }
        emitted.push(...debouncer.flushAll());
        const replayed = new Set(initial);
        for (const { path, change } of emitted) {
          // Every emitted change is consistent with the state before it.
          expect(change === "created").toBe(!replayed.has(path));
          if (change === "deleted") replayed.delete(path);
          else replayed.add(path);
        }
        expect([...replayed].sort()).toEqual([...exists].sort());
      }),
      { numRuns: 300 },
    );
  });
});
