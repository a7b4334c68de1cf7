/**
 * @module
 * Cycles of a directed graph over task indices, found by one iterative depth-first search (no
 * recursion: a 200,000-task chain must not overflow the stack). Each back edge found gives one
 * cycle, listed from its lowest index (the earliest-declared task) and rotated so that equal
 * cycles compare equal. O(V + E).
 */

const WHITE = 0;
const GREY = 1;
const BLACK = 2;

export interface CycleSearch {
  /** number of nodes (indices 0..count-1) */
  count: number;
  /** the nodes an edge leads to from `node` */
  next(node: number): readonly number[];
  /** the nodes to start from (default: every node, in index order) */
  starts?: Iterable<number>;
  /** stop after this many cycles */
  limit?: number;
}

/** The cycles found (each a list of indices, first node not repeated at the end). */
export function findCycles(search: CycleSearch): number[][] {
  const { count, next, limit = Number.POSITIVE_INFINITY } = search;
  const color = new Uint8Array(count);
  const position = new Int32Array(count).fill(-1);
  const cycles = new Map<string, number[]>();
  const nodes: number[] = [];
  const edges: number[] = [];
  const starts = search.starts ?? range(count);
  for (const start of starts) {
    if (color[start] !== WHITE) continue;
    color[start] = GREY;
    position[start] = 0;
    nodes.push(start);
    edges.push(0);
    while (nodes.length > 0) {
      const top = nodes.length - 1;
      const node = nodes[top]!;
      const successors = next(node);
      const edge = edges[top]!;
      if (edge >= successors.length) {
        color[node] = BLACK;
        position[node] = -1;
        nodes.pop();
        edges.pop();
        continue;
      }
      edges[top] = edge + 1;
      const target = successors[edge]!;
      if (color[target] === WHITE) {
        color[target] = GREY;
        position[target] = nodes.length;
        nodes.push(target);
        edges.push(0);
      } else if (color[target] === GREY) {
        const cycle = rotateToLowest(nodes.slice(position[target]!));
        cycles.set(cycle.join(","), cycle);
        if (cycles.size >= limit) return [...cycles.values()];
      }
    }
  }
  return [...cycles.values()];
}

function rotateToLowest(cycle: number[]): number[] {
  let lowest = 0;
  for (let i = 1; i < cycle.length; i++) if (cycle[i]! < cycle[lowest]!) lowest = i;
  return [...cycle.slice(lowest), ...cycle.slice(0, lowest)];
}

function* range(count: number): Iterable<number> {
  for (let i = 0; i < count; i++) yield i;
}

/** `a → b → c → a`: a cycle printed in run order, back to its first task. */
export function formatCycle(names: readonly string[]): string {
  return [...names, names[0]].join(" → ");
}
