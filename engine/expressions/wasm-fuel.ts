/**
 * @module
 * The fuel counter of one metered QuickJS WebAssembly instance (`scripts/meter-quickjs-wasm.mjs`
 * builds it): every function entry, loop header and return inside the module takes one unit from
 * an exported global, and the module traps when it goes below zero. QuickJS's own interrupt
 * polls come from bytecode only (about every 10,000 branches), so what runs natively between two
 * polls (a built-in's loop, `===` of two long strings, a spread) is invisible to them; the fuel
 * sees it. The sandbox fills the tank before each call, reads what was used at every poll and
 * after the call, and the trap is the hard stop when a call overruns between two polls. Single-
 * threaded by nature: one instance runs one call at a time.
 */

/** The exported global the metering script adds. */
export const FUEL_GLOBAL = "edgeflow_fuel";

/**
 * Fuel that one interrupt poll's worth of plain interpreted work takes (a counting loop: about
 * 10,000 iterations between polls, about 43 units each). Budgets stay counted in polls; fuel is
 * converted at this rate, so interpreted code is charged as before and native work is charged for
 * what it really does.
 */
export const FUEL_PER_POLL = 250_000;

/**
 * Fuel per poll while compiling: QuickJS's parser does more per unit of fuel than running code
 * (measured down to about 60,000 units a ms, against 100,000-330,000 for running code), so a
 * compile is charged four times the rate. Real expressions compile in a small fraction of a poll
 * either way (a 200-character transform: 12,000 units).
 */
export const COMPILE_FUEL_PER_POLL = FUEL_PER_POLL / 4;

/**
 * The fuel a call gets, as a multiple of its budget: a poll stops it gracefully at the budget;
 * the trap at one and a half times the budget only stops a call that overran between two polls.
 */
export const TRAP_FACTOR = 1.5;

/** The fuel a host-side operation on the module gets (building a context, reading a result). */
export const HOST_FUEL = 0x7fff_ffff;

export class FuelTank {
  readonly #global: WebAssembly.Global;
  #filled = HOST_FUEL;

  constructor(global: WebAssembly.Global) {
    this.#global = global;
  }

  /** Sets the fuel left to `units` (at most `HOST_FUEL`). */
  fill(units: number): void {
    this.#filled = Math.min(Math.max(Math.floor(units), 0), HOST_FUEL);
    this.#global.value = this.#filled;
  }

  /** Units used since the last `fill`. */
  get used(): number {
    return this.#filled - (this.#global.value as number);
  }

  /** True when the module trapped for lack of fuel (the counter went below zero). */
  get empty(): boolean {
    return (this.#global.value as number) < 0;
  }
}

/** The tank of an instance's exports, or an error naming what is missing. */
export function fuelTankOf(exports: WebAssembly.Exports): FuelTank {
  const global = exports[FUEL_GLOBAL];
  if (!(global instanceof WebAssembly.Global)) {
    throw new Error(
      `the QuickJS WebAssembly module is not metered (no "${FUEL_GLOBAL}" export): build it with scripts/meter-quickjs-wasm.mjs`,
    );
  }
  return new FuelTank(global);
}
