/**
 * @module
 * How deep a JSON value nests. Structured clone (every Durable Object RPC) and `JSON.stringify`
 * (every checkpoint) recurse and overflow the stack at a few thousand levels, so JSON from outside
 * (a request body, a tool argument, a step result sent as JSON text) is refused past a limit.
 */

/** Deepest nesting of arrays and objects accepted from outside: as deep as a workflow file may be. */
export const MAX_JSON_DEPTH = 100;

/** Whether `value` nests arrays or objects more than `max` levels. Iterative: a recursive walk would overflow on the very input it guards against. */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current !== "object" || current === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(current)) {
      if (typeof child === "object" && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}
