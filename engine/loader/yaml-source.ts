/**
 * @module
 * YAML text → a `yaml` Document with a line counter, and back from a path to a line and column.
 * Parse errors (syntax, duplicate keys, several documents) become findings; nothing throws.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from "yaml";
import { errorFinding, type Finding, warningFinding } from "./diagnostic.ts";
import type { LoaderCode } from "./error-codes.ts";
import type { YamlPath } from "./yaml-path.ts";

export interface YamlSource {
  document: Document.Parsed;
  lineCounter: LineCounter;
}

const YAML_ERROR_CODES: Readonly<Record<string, LoaderCode>> = {
  DUPLICATE_KEY: "loader.duplicate_key",
  MULTIPLE_DOCS: "loader.multiple_documents",
};

export interface SourcePosition {
  line: number;
  column: number;
}

/** Findings from the yaml package carry an offset rather than a path. */
export type PositionedFinding = Finding & { position?: SourcePosition };

export function parseYamlSource(text: string):
  | { ok: true; source: YamlSource; warnings: PositionedFinding[] }
  | {
      ok: false;
      errors: PositionedFinding[];
    } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const position = (offset: number | undefined): SourcePosition | undefined => {
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const errors: PositionedFinding[] = document.errors.map((error) => ({
    ...errorFinding(YAML_ERROR_CODES[error.code] ?? "loader.yaml_syntax", error.message),
    position: position(error.pos[0]),
  }));
  if (errors.length > 0) return { ok: false, errors };
  const warnings: PositionedFinding[] = document.warnings.map((warning) => ({
    ...warningFinding("loader.yaml_warning", warning.message),
    position: position(warning.pos[0]),
  }));
  return { ok: true, source: { document, lineCounter }, warnings };
}

/** The node at `path`, or the deepest ancestor that exists, with the key node of the last step when asked. */
function nodeAt(source: YamlSource, path: YamlPath, atKey: boolean): Node | undefined {
  return descend(source, path, atKey).nearest;
}

/** The node at exactly `path` (an alias on the way is followed; one at the end is returned as is). */
export function nodeAtPath(source: YamlSource, path: YamlPath): unknown {
  const { reached, node } = descend(source, path, false);
  return reached ? node : undefined;
}

function descend(
  source: YamlSource,
  path: YamlPath,
  atKey: boolean,
): { nearest: Node | undefined; reached: boolean; node: unknown } {
  let current: unknown = source.document.contents;
  let lastWithRange: Node | undefined = hasRange(current) ? current : undefined;
  for (let index = 0; index < path.length; index++) {
    const segment = path[index];
    if (isAlias(current)) {
      // yaml throws "Unresolved alias" for some aliases toJS() did resolve (an anchor under a
      // `__proto__` key): a position is a nicety, so fall back to the nearest ancestor
      try {
        current = current.resolve(source.document);
      } catch {
        return { nearest: lastWithRange, reached: false, node: undefined };
      }
    }
    let next: unknown;
    let keyNode: unknown;
    if (isMap(current)) {
      const pair = current.items.find((item) => isPair(item) && keyValue(item.key) === String(segment));
      keyNode = pair?.key;
      next = pair?.value;
    } else if (isSeq(current) && typeof segment === "number") {
      next = current.items[segment];
    }
    if (atKey && index === path.length - 1 && hasRange(keyNode)) {
      return { nearest: keyNode, reached: false, node: undefined };
    }
    if (next === undefined || next === null)
      return { nearest: lastWithRange, reached: false, node: undefined };
    current = next;
    if (hasRange(current)) lastWithRange = current;
  }
  return { nearest: lastWithRange, reached: true, node: current };
}

function keyValue(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === "string" ? key : undefined;
}

function hasRange(node: unknown): node is Node {
  return (
    (isScalar(node) || isMap(node) || isSeq(node) || isAlias(node)) &&
    Array.isArray(node.range) &&
    typeof node.range[0] === "number"
  );
}

/** Line and column (1-based) of the value at `path` (or of its key), falling back to the nearest ancestor. */
export function locate(source: YamlSource, path: YamlPath, atKey = false): SourcePosition {
  const node = nodeAt(source, path, atKey);
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = source.lineCounter.linePos(offset);
  return { line, column: col };
}
