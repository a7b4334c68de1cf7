/**
 * @module
 * The import graph of a source folder and the cycles in it. Imports are read with a regular
 * expression over `import … from "x"`, `export … from "x"`, `import "x"` and `import("x")`, type-only
 * ones included (a type cycle still ties two modules together). The compiler API cannot do it
 * here: TypeScript 7 is the native compiler and has no JavaScript API. Used by the import-cycle
 * test; kept apart so a fixture can prove it finds a cycle.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** The specifier of every static or dynamic import and re-export (comments are not parsed out). */
const IMPORT_SPECIFIER =
  /(?:^|[\s;])(?:import|export)\b[^;"'`]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(?\s*["']([^"']+)["']/g;

function specifiersOf(text: string): string[] {
  return [...text.matchAll(IMPORT_SPECIFIER)].map((match) => (match[1] ?? match[2])!);
}

/** Every `.ts` file under `root`, as absolute paths. */
export function sourceFiles(root: string): string[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((entry) => {
    const path = join(root, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** file → the files under the same root it imports (relative specifiers only). */
export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const targets = specifiersOf(readFileSync(file, "utf8"))
      .filter((specifier) => specifier.startsWith("."))
      .flatMap((specifier) => resolveSpecifier(file, specifier) ?? [])
      .filter((target) => target.startsWith(root));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

function resolveSpecifier(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/**
 * The import cycles of `graph`, one per strongly connected component of more than one file (or a
 * file importing itself), each written as the path that closes it: `a.ts → b.ts → a.ts`.
 */
export function importCycles(graph: Map<string, string[]>, root: string): string[] {
  const cycles: string[] = [];
  for (const component of stronglyConnected(graph)) {
    const [first] = component;
    if (first === undefined) continue;
    if (component.length === 1 && !(graph.get(first) ?? []).includes(first)) continue;
    const members = new Set(component);
    const path = cyclePath(graph, first, members).map((file) => relative(root, file));
    cycles.push(path.join(" → "));
  }
  return cycles.sort();
}

/** Tarjan's algorithm, iterative enough for a source tree (recursion depth = longest import chain). */
function stronglyConnected(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components;
}

/** A shortest way from `start` back to itself inside one component (breadth-first). */
function cyclePath(graph: Map<string, string[]>, start: string, members: Set<string>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = previous.get(at))
          path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}
