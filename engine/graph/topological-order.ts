/**
 * @module
 * Kahn's algorithm over task indices: an order in which every task comes after the tasks it
 * needs, or undefined when the graph has a cycle. O(V + E), no recursion.
 */

export interface IndexedGraph {
  count: number;
  /** upstream indices of a task */
  needs(task: number): readonly number[];
  /** downstream indices of a task */
  dependents(task: number): readonly number[];
  /** tasks left out of the order (and of their dependents' counts), e.g. `for_each` branches */
  skip?(task: number): boolean;
}

export function topologicalOrder(graph: IndexedGraph): number[] | undefined {
  const { count, skip } = graph;
  const remaining = new Int32Array(count);
  const order: number[] = [];
  let included = 0;
  for (let task = 0; task < count; task++) {
    if (skip?.(task)) continue;
    included++;
    remaining[task] = graph.needs(task).length;
    if (remaining[task] === 0) order.push(task);
  }
  for (let head = 0; head < order.length; head++) {
    for (const next of graph.dependents(order[head]!)) {
      remaining[next]! -= 1;
      if (remaining[next] === 0) order.push(next);
    }
  }
  return order.length === included ? order : undefined;
}
