/**
 * bench/report.ts: a partial run (`npm run bench -- <scenario>`) keeps each replaced figure's
 * value as `before`, so bench/README.md shows before and after side by side (issue 16).
 */
import { describe, expect, it } from "vitest";
import { type BenchReport, mergeReport, renderMarkdown } from "../../bench/report.ts";

const machine = { cores: 2, cpu: "test", node: "v22", platform: "linux-x64" };

describe("bench report: before and after", () => {
  it("keeps the replaced figure's value and ratio as before, and shows it in the Markdown", () => {
    const previous: BenchReport = {
      date: "2026-12-01T00:00:00.000Z",
      machine,
      sections: [
        {
          name: "mcp",
          figures: { p50: { value: 9, unit: "ms", ratio: 6.2 }, gone: { value: 1, unit: "ms" } },
        },
        { name: "other", figures: { x: { value: 1, unit: "ms" } } },
      ],
    };
    const fresh: BenchReport = {
      date: "2026-12-05T00:00:00.000Z",
      machine,
      sections: [
        {
          name: "mcp",
          figures: { p50: { value: 5, unit: "ms", ratio: 3 }, added: { value: 2, unit: "ms" } },
        },
      ],
    };
    const merged = mergeReport(previous, fresh);
    const mcp = merged.sections.find((section) => section.name === "mcp")!;
    expect(mcp.figures.p50!.before).toEqual({ value: 9, ratio: 6.2, date: "2026-12-01T00:00:00.000Z" });
    expect(mcp.figures.added!.before).toBeUndefined();
    expect(merged.sections.find((section) => section.name === "other")).toEqual(previous.sections[1]);
    expect(renderMarkdown(merged)).toContain("before (2026-12-01): 9 ms, ratio 6.2");
  });
});
