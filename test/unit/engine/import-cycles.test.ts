/** No import cycle anywhere under engine/: every module can be read (and loaded) before the ones that use it. */
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { importCycles, importGraph } from "./import-graph.ts";

const engine = fileURLToPath(new URL("../../../engine/", import.meta.url));
const fixture = fileURLToPath(new URL("./fixtures/import-cycle/", import.meta.url));

it("finds no import cycle under engine/", () => {
  const graph = importGraph(engine);
  expect(graph.size).toBeGreaterThan(100);
  expect(importCycles(graph, engine)).toEqual([]);
});

it("reports a cycle, type-only imports included (fixture)", () => {
  expect(importCycles(importGraph(fixture), fixture)).toEqual(["first.ts → second.ts → first.ts"]);
});
