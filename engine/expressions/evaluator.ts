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
   * `expression.forbidden`, `expression.budget_exceeded`, `expression.memory_exceeded` or
   * `expression.result_too_large`. Nothing one call does is visible to a later one.
   */
  evaluate(source: string, bindings: Readonly<Record<string, unknown>>): unknown;
  /**
   * Checks that `source` would compile, without running any of it (publish-time validation).
   * Throws the `EngineError` that `evaluate` would throw before running: `expression.syntax` or
   * `expression.forbidden`. Other codes mean the check itself could not be made (a sandbox that
   * ran out of memory compiling, a failed WebAssembly module).
   */
  check(source: string): void;
  /**
   * Resolves when the evaluator can take calls: at once, unless the sandbox's WebAssembly module
   * failed (in this evaluator or another one sharing it), in which case a fresh module is loaded
   * first (until then `evaluate` and `check` throw a retryable `expression.runtime`). Callers
   * that can wait (a Durable Object before a transition) await it before use. Required, like
   * `pollsUsed`, so that a wrapper around an evaluator cannot silently drop it.
   */
  ready(): Promise<void>;
  /**
   * Interrupt polls the sandbox has taken over this evaluator's life, in every `evaluate` and
   * `check` (QuickJS polls about every 10,000 bytecode branches and calls): a count of work, never
   * of time, that only grows. Callers meter a stretch of work by reading it before and after.
   * The work meter of a run reads it, so a backend or wrapper that answered 0 would switch the
   * run's work budget off.
   */
  readonly pollsUsed: number;
  /** Releases the sandbox. The evaluator must not be used afterwards. */
  dispose(): void;
}
