/**
 * @module
 * The layer rules of the code base, checked on source text (tokenized with js-tokens, so
 * comments and strings never count): what each top-level folder may import, and that the engine
 * reads no clock, timer, randomness or network. The engine gets time as an argument (`now`,
 * `context.now`, `delivery.now`): the Durable Objects read the clock and pass it in.
 *
 * - `engine/` imports nothing of `durable-objects/`, `worker/`, `plugins/`, no `cloudflare:*`
 *   or `node:*` module, and reads no clock (`Date.now`, `new Date()` without arguments,
 *   `performance.now`), timer (`setTimeout`, `setInterval`), randomness (`Math.random`) or
 *   network (`fetch`, `WebSocket`, `connect(`).
 * - `durable-objects/` imports nothing of `worker/` or `plugins/`.
 * - `plugins/` imports nothing of `worker/` or `durable-objects/`.
 * - `worker/` imports of `durable-objects/` only what crosses RPC: the contracts modules
 *   (`durable-objects/<object>/contracts.ts`), the entry files (`durable-objects/<name>-do.ts`),
 *   `bindings.ts` and `outcome.ts` (the RPC result envelope); never a storage module.
 *
 * Pure: takes file texts, answers violations. `checkTree` reads a directory laid out like the
 * repository root (the repository itself, or a fixture).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import jsTokens, { type Token } from "js-tokens";

export const LAYERS = ["engine", "durable-objects", "worker", "plugins"] as const;
export type Layer = (typeof LAYERS)[number];

export type LayerRule =
  | "engine.imports_outer_layer"
  | "engine.imports_platform"
  | "engine.reads_clock"
  | "engine.uses_network"
  | "engine.nondeterministic"
  | "objects.imports_worker"
  | "plugins.imports_host"
  | "worker.imports_object_storage";

export interface LayerViolation {
  /** path from the checked root, `/`-separated */
  file: string;
  line: number;
  rule: LayerRule;
  /** the import specifier or the forbidden expression */
  found: string;
}

const FORBIDDEN_IMPORTS: Record<Layer, readonly Layer[]> = {
  engine: ["durable-objects", "worker", "plugins"],
  // the TenantDO runs plugins (effects): DESIGN.md, "Folders"
  "durable-objects": ["worker"],
  plugins: ["worker", "durable-objects"],
  worker: [],
};

/** What `worker/` may import from `durable-objects/`: the RPC surface, never storage. */
const WORKER_MAY_IMPORT =
  /^durable-objects\/(?:[a-z-]+\/contracts\.ts|[a-z-]+-do\.ts|bindings\.ts|outcome\.ts)$/;

/** Token patterns the engine must not contain: identifiers in order, `.` and `(` included. */
const ENGINE_FORBIDDEN: readonly { sequence: readonly string[]; rule: LayerRule }[] = [
  { sequence: ["Date", ".", "now"], rule: "engine.reads_clock" },
  { sequence: ["new", "Date", "(", ")"], rule: "engine.reads_clock" },
  { sequence: ["performance", ".", "now"], rule: "engine.reads_clock" },
  { sequence: ["setTimeout"], rule: "engine.nondeterministic" },
  { sequence: ["setInterval"], rule: "engine.nondeterministic" },
  { sequence: ["Math", ".", "random"], rule: "engine.nondeterministic" },
  { sequence: ["fetch"], rule: "engine.uses_network" },
  { sequence: ["WebSocket"], rule: "engine.uses_network" },
  { sequence: ["connect", "("], rule: "engine.uses_network" },
];

const IGNORED: ReadonlySet<Token["type"]> = new Set([
  "WhiteSpace",
  "LineTerminatorSequence",
  "MultiLineComment",
  "SingleLineComment",
  "HashbangComment",
]);

interface Word {
  value: string;
  line: number;
  /** a string literal (its text without quotes), else an identifier or punctuator */
  string: boolean;
}

/** The significant tokens of a source: no whitespace, no comments; string literals unquoted. */
function wordsOf(source: string): Word[] {
  const words: Word[] = [];
  let line = 1;
  for (const token of jsTokens(source) as Iterable<Token>) {
    if (token.type === "StringLiteral" || token.type === "NoSubstitutionTemplate") {
      words.push({ value: token.value.slice(1, -1), line, string: true });
    } else if (!IGNORED.has(token.type)) {
      words.push({ value: token.value, line, string: false });
    }
    line += token.value.split(/\r\n|[\n\r\u2028\u2029]/).length - 1;
  }
  return words;
}

/** Module specifiers: `from "x"`, `import "x"`, `import("x")`, `require("x")`. */
function importsOf(words: readonly Word[]): Word[] {
  return words.filter((word, index) => {
    if (!word.string) return false;
    const before = words[index - 1];
    if (before?.string !== false) return false;
    if (before.value === "from" || before.value === "import") return true;
    const callee = words[index - 2];
    return before.value === "(" && (callee?.value === "import" || callee?.value === "require");
  });
}

function layerOf(path: string): Layer | undefined {
  return LAYERS.find((layer) => path.startsWith(`${layer}/`));
}

/** The violations of one file; `file` is its path from the root, `/`-separated. */
export function checkFile(file: string, source: string): LayerViolation[] {
  const layer = layerOf(file);
  if (layer === undefined) return [];
  const words = wordsOf(source);
  const violations: LayerViolation[] = [];
  const flag = (line: number, rule: LayerRule, found: string) => violations.push({ file, line, rule, found });
  for (const { value: specifier, line } of importsOf(words)) {
    if (layer === "engine" && /^(?:cloudflare|node):/.test(specifier)) {
      flag(line, "engine.imports_platform", specifier);
      continue;
    }
    if (!specifier.startsWith(".")) continue;
    const target = posix.normalize(posix.join(posix.dirname(file), specifier));
    const targetLayer = layerOf(target);
    if (targetLayer === undefined || targetLayer === layer) continue;
    if (FORBIDDEN_IMPORTS[layer].includes(targetLayer)) {
      const rule: LayerRule =
        layer === "engine"
          ? "engine.imports_outer_layer"
          : layer === "plugins"
            ? "plugins.imports_host"
            : "objects.imports_worker";
      flag(line, rule, specifier);
    } else if (layer === "worker" && targetLayer === "durable-objects" && !WORKER_MAY_IMPORT.test(target)) {
      flag(line, "worker.imports_object_storage", specifier);
    }
  }
  if (layer === "engine") {
    for (const [index, word] of words.entries()) {
      if (word.string || words[index - 1]?.value === ".") continue;
      for (const { sequence, rule } of ENGINE_FORBIDDEN) {
        if (sequence.every((part, offset) => words[index + offset]?.value === part)) {
          flag(word.line, rule, sequence.join(""));
        }
      }
    }
  }
  return violations;
}

function sourcesUnder(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourcesUnder(root, path);
    return /\.(?:ts|mts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** The source files of every layer folder present under `root`, as `/`-separated relative paths. */
export function layerSources(root: string): string[] {
  const present = new Set(readdirSync(root));
  return LAYERS.filter((layer) => present.has(layer))
    .flatMap((layer) => sourcesUnder(root, layer))
    .map((path) => relative(".", path).split(sep).join("/"));
}

/** Every violation in a tree laid out like the repository root. */
export function checkTree(root: string): LayerViolation[] {
  return layerSources(root).flatMap((file) => checkFile(file, readFileSync(join(root, file), "utf8")));
}
