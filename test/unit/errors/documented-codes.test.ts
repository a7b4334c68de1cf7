/**
 * The error tables in docs/*.md and README.md against the closed set of codes: a table may not
 * name a code that does not exist, every code is named with its meaning in some table, and the
 * class table in docs/runtime.md ("Errors") says the class each code really has.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, type ErrorCode, isErrorCode } from "../../../engine/error-codes.ts";
import { classifyCode } from "../../../worker/errors/codes.ts";

const ROOT = join(import.meta.dirname, "../../..");
const DOCS = [
  ...readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
  "README.md",
];

/** The first part of every code (`run`, `loader`, ...): a backticked `area.x` in a table is a code. */
const AREAS = new Set(ERROR_CODES.map((code) => code.split(".")[0]));
/** `events.md`, `admin.ts`: file names that share an area's spelling. */
const FILE_EXTENSIONS = new Set(["md", "ts", "js", "json", "toml", "yaml"]);

interface TableRow {
  file: string;
  line: number;
  /** the first row of the table this row belongs to */
  header: string;
  cells: string[];
  /** backticked `area.name` (or `area.*`) tokens of a code area */
  codes: string[];
}

function tableRows(file: string): TableRow[] {
  const rows: TableRow[] = [];
  let header: string | undefined;
  readFileSync(join(ROOT, file), "utf8")
    .split("\n")
    .forEach((text, index) => {
      if (!text.startsWith("|")) {
        header = undefined;
        return;
      }
      header ??= text;
      const codes = [...text.matchAll(/`([a-z_]+)\.([a-z_]+|\*)`/g)]
        .filter(([, area, name]) => AREAS.has(area!) && !FILE_EXTENSIONS.has(name!))
        .map(([token]) => token!.slice(1, -1));
      const cells = text.split("|").map((cell) => cell.trim());
      rows.push({ file, line: index + 1, header, cells: cells.slice(1, -1), codes });
    });
  return rows;
}

const rows = DOCS.flatMap(tableRows);
const isClassTable = (row: TableRow) => row.header.startsWith("| class |");

describe("documented error codes", () => {
  it("names only codes that exist (or a wildcard of an existing area)", () => {
    const unknown = rows.flatMap((row) =>
      row.codes
        .filter((token) => !isErrorCode(token) && !token.endsWith(".*"))
        .map((token) => `${row.file}:${row.line}: ${token}`),
    );
    expect(unknown).toEqual([]);
  });

  it("names every code, with its meaning, in some table", () => {
    const documented = new Set(rows.filter((row) => !isClassTable(row)).flatMap((row) => row.codes));
    expect(ERROR_CODES.filter((code) => !documented.has(code))).toEqual([]);
  });

  it("puts each code of the class table in the row of its class", () => {
    const classRows = rows.filter((row) => row.file === "docs/runtime.md" && isClassTable(row));
    expect(classRows.length).toBeGreaterThan(1);
    const misplaced = classRows.slice(1).flatMap((row) => {
      const rowClass = row.cells[0]!.replaceAll("`", "");
      return row.codes
        .filter((token): token is ErrorCode => isErrorCode(token))
        .filter((code) => classifyCode(code) !== rowClass)
        .map((code) => `${code} is ${classifyCode(code)}, listed as ${rowClass}`);
    });
    expect(misplaced).toEqual([]);
  });
});
