/**
 * The layers hold (`layer-check.ts` says which): the repository has no violation, and the same
 * checker flags every deliberately wrong line of `test/fixtures/layers/`, so it is shown to bite.
 * Every engine file opens with its `@module` header.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkTree, layerSources } from "./layer-check.ts";

const repository = fileURLToPath(new URL("../../../", import.meta.url));
const fixture = fileURLToPath(new URL("../../fixtures/layers/", import.meta.url));

describe("the repository", () => {
  it("checks every layer's sources", () => {
    const sources = layerSources(repository);
    for (const layer of ["engine/", "durable-objects/", "worker/"]) {
      expect(sources.some((path) => path.startsWith(layer))).toBe(true);
    }
  });

  it("breaks no layer rule", () => {
    expect(checkTree(repository)).toEqual([]);
  });

  it("opens every engine file with its @module header", () => {
    const engine = layerSources(repository).filter((path) => path.startsWith("engine/"));
    const missing = engine.filter(
      (path) => !readFileSync(join(repository, path), "utf8").startsWith("/**\n * @module"),
    );
    expect(missing).toEqual([]);
  });
});

describe("the fixture", () => {
  it("has each wrong line flagged, and only those", () => {
    const found = checkTree(fixture).map(({ file, line, rule, found }) => `${file}:${line} ${rule} ${found}`);
    expect(found.sort()).toEqual(
      [
        "durable-objects/tenant/row-store.ts:5 objects.imports_worker ../../worker/app.ts",
        "engine/imports-outer.ts:5 engine.imports_platform cloudflare:workers",
        "engine/imports-outer.ts:6 engine.imports_outer_layer ../durable-objects/tenant/row-store.ts",
        "engine/imports-outer.ts:7 engine.imports_outer_layer ../worker/app.ts",
        "engine/reads-clock.ts:6 engine.uses_network fetch",
        "engine/reads-clock.ts:7 engine.reads_clock Date.now",
        "engine/reads-clock.ts:7 engine.reads_clock newDate()",
        "plugins/example/plugin.ts:5 plugins.imports_host ../../durable-objects/tenant/contracts.ts",
        "plugins/example/plugin.ts:7 plugins.imports_host ../../worker/app.ts",
        "worker/app.ts:6 worker.imports_object_storage ../durable-objects/tenant/row-store.ts",
      ].sort(),
    );
  });
});
