/**
 * @module
 * The loader's guards: size, aliases, nesting, empty or non-mapping documents, several documents,
 * and input that is not text. Each is a clear error, never an exception.
 */
import { describe, expect, it } from "vitest";
import { loadWorkflow } from "../../../engine/loader/index.ts";

const codes = (text: string, options = {}) => {
  const result = loadWorkflow(text, options);
  return result.ok ? [] : result.errors.map((error) => error.code);
};

describe("loader limits", () => {
  it("refuses files over the size limit (default 1 MiB)", () => {
    expect(codes(`# ${"x".repeat(1024 * 1024)}`)).toEqual(["loader.too_large"]);
    expect(codes("name: a", { maxBytes: 4 })).toEqual(["loader.too_large"]);
  });

  it("counts bytes, not characters", () => {
    expect(codes("é".repeat(600), { maxBytes: 1000 })).toEqual(["loader.too_large"]);
  });

  it("stops an alias bomb", () => {
    const lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
    for (let level = 1; level < 10; level++) {
      const previous = String.fromCharCode(96 + level);
      const next = String.fromCharCode(97 + level);
      lines.push(`${next}: &${next} [${Array(9).fill(`*${previous}`).join(", ")}]`);
    }
    expect(codes(lines.join("\n"))).toEqual(["loader.alias_limit"]);
  });

  it("refuses very deep nesting", () => {
    expect(codes(`a: ${"[".repeat(150)}${"]".repeat(150)}`)).toEqual(["loader.too_deep"]);
    expect(codes(`a: ${"[".repeat(20)}${"]".repeat(20)}`, { maxDepth: 10 })).toEqual(["loader.too_deep"]);
  });

  it("refuses an empty file and a scalar top level", () => {
    expect(codes("")).toEqual(["loader.not_a_mapping"]);
    expect(codes("# only a comment\n")).toEqual(["loader.not_a_mapping"]);
    expect(codes("just text")).toEqual(["loader.not_a_mapping"]);
  });

  it("refuses several documents in one file", () => {
    expect(codes("a: 1\n---\nb: 2\n")).toEqual(["loader.multiple_documents"]);
  });

  it("answers input that is not a string with an error", () => {
    expect(codes(42 as unknown as string)).toEqual(["loader.invalid_type"]);
  });
});
