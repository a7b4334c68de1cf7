/**
 * @module
 * The isolate-wide cap on live QuickJS sandboxes. Every evaluator of an isolate builds its
 * sandbox (runtime, context and prelude: about 150 KB) in the one shared WebAssembly module
 * (`quickjs-module.ts`), whose linear memory only grows; thousands of live run objects in one
 * isolate would fill it, and the next sandbox's prelude would then fail with QuickJS's
 * out-of-memory: a run failing because of its neighbours. So at most `MAX_LIVE_SANDBOXES` are
 * live: before one more is built, the evaluators that used theirs longest ago free them, and
 * build a fresh one on their next call. A sandbox is never handed to another evaluator.
 * Freeing another evaluator's sandbox is safe because evaluation is synchronous and the sandbox
 * calls nothing on the host (no host functions; the interrupt handler only counts), so no other
 * sandbox is ever in the middle of a call while one is built. The cap also bounds the sandboxes of
 * objects that went away without disposing their evaluator (a Durable Object evicted from memory
 * does not): those are freed in their turn instead of staying in the module's memory for the
 * isolate's life. It must not hold sandboxes itself,
 * only the evaluators that own them.
 */

/**
 * The cap: 256 sandboxes are about 38 MB of the module's memory (each about 150 KB with its
 * prelude, more once it has run code), which leaves room inside an isolate's 128 MB; a Node
 * process fails past about 14,000 (the module's 2 GiB ceiling), workerd far earlier. Runs past the
 * cap still work; one whose sandbox was freed pays a rebuild (about 4 ms) on its next expression.
 */
export const MAX_LIVE_SANDBOXES = 256;

/** An evaluator that owns a live sandbox. */
export interface SandboxHolder {
  /** Frees the holder's sandbox now; it builds a fresh one on its next call. */
  evictSandbox(): void;
}

/** Holders with a live sandbox, least recently used first (a `Set` keeps insertion order). */
const holders = new Set<SandboxHolder>();
let cap = MAX_LIVE_SANDBOXES;

/** Records that `holder` just used its sandbox (or built one). */
export function markSandboxUsed(holder: SandboxHolder): void {
  holders.delete(holder);
  holders.add(holder);
}

/** Records that `holder` no longer has a live sandbox (freed, or abandoned with its module). */
export function forgetSandbox(holder: SandboxHolder): void {
  holders.delete(holder);
}

/**
 * Makes room for `holder` to build a sandbox: frees the least recently used ones of the others
 * until at most `keep` are live (by default one fewer than the cap). Returns how many were freed.
 */
export function makeRoomForSandbox(holder: SandboxHolder, keep = cap - 1): number {
  holders.delete(holder);
  let freed = 0;
  while (holders.size > keep) {
    const oldest = holders.values().next();
    if (oldest.done === true) break;
    holders.delete(oldest.value);
    oldest.value.evictSandbox();
    freed += 1;
  }
  return freed;
}

/** How many sandboxes are live in this isolate (tests read it). */
export function liveSandboxCount(): number {
  return holders.size;
}

/**
 * Sets the cap, returning the previous one. Tests only: they prove the eviction with a small cap
 * (or an effectively unlimited one) instead of building thousands of sandboxes.
 */
export function setLiveSandboxCapForTests(next: number): number {
  if (!Number.isSafeInteger(next) || next < 1) throw new RangeError("the cap must be a positive integer");
  const previous = cap;
  cap = next;
  return previous;
}
