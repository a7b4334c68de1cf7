/**
 * @module
 * The contract every expression backend meets. Bindings are plain data (JSON-compatible values);
 * they become the global names the source can see, and nothing else is visible. Implementations
 * must bound the work of every call and never hand back a host object they were not given.
 */

export interface Evaluator {
  /**
   * Evaluates `source` and returns its value as plain data. `source` is a JavaScript expression,
   * or a statement body that uses `return` (computed-field transforms may be either).
   * Throws `EngineError` with code `expression.syntax`, `expression.runtime`,
   * `expression.forbidden`, `expression.budget_exceeded` or `expression.memory_exceeded`.
   */
  evaluate(source: string, bindings: Readonly<Record<string, unknown>>): unknown;
  /** Releases the sandbox. The evaluator must not be used afterwards. */
  dispose(): void;
}
