/**
 * @module
 * Builds `generated/quickjs-metered.wasm`: QuickJS's WebAssembly (from
 * `@jitl/quickjs-wasmfile-release-sync`) with a fuel counter that every function entry, loop
 * header and return decrements, and a trap (`unreachable`) when it goes below zero. QuickJS polls
 * its interrupt handler only from bytecode, so a built-in that loops natively, or an operator
 * whose cost grows with its operands (`===` of two long strings), runs unseen between two polls;
 * the fuel counts what the WebAssembly actually does, so the sandbox can charge it and stop it
 * (`engine/expressions/wasm-fuel.ts`). Binaryen's own `log-execution` pass places the counting
 * calls; this script replaces the logging import it adds with the counter and inlines it.
 * Run by `npm install`/`npm ci` (postinstall) and by hand: `node scripts/meter-quickjs-wasm.mjs`.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import binaryen from "binaryen";

/** The exported global the host fills before each sandbox call and reads back. */
const FUEL_GLOBAL = "edgeflow_fuel";
/** The function `log-execution` calls (an import until this script defines it). */
const COUNTER = "log_execution";

const require = createRequire(import.meta.url);
const source = require.resolve("@jitl/quickjs-wasmfile-release-sync/wasm");
const target = new URL("../generated/quickjs-metered.wasm", import.meta.url);

const module = binaryen.readBinary(readFileSync(source));
const { Features } = binaryen;
// what the emscripten build uses; binaryen must know them to read and write it unchanged
module.setFeatures(
  Features.MVP |
    Features.MutableGlobals |
    Features.NontrappingFPToInt |
    Features.BulkMemory |
    Features.BulkMemoryOpt |
    Features.SignExt |
    Features.ReferenceTypes |
    Features.Multivalue |
    Features.CallIndirectOverlong,
);
module.runPasses(["log-execution"]);
module.removeFunction(COUNTER);
module.addGlobal(FUEL_GLOBAL, binaryen.i32, true, module.i32.const(0x7fffffff));
module.addGlobalExport(FUEL_GLOBAL, FUEL_GLOBAL);
const fuel = () => module.global.get(FUEL_GLOBAL, binaryen.i32);
module.addFunction(
  COUNTER,
  binaryen.createType([binaryen.i32]),
  binaryen.none,
  [],
  module.block(null, [
    module.global.set(FUEL_GLOBAL, module.i32.sub(fuel(), module.i32.const(1))),
    module.if(module.i32.lt_s(fuel(), module.i32.const(0)), module.unreachable()),
  ]),
);
binaryen.setAlwaysInlineMaxSize(40);
module.runPasses(["inlining", "vacuum"]);
if (!module.validate()) throw new Error("the metered QuickJS module does not validate");
mkdirSync(new URL(".", target), { recursive: true });
writeFileSync(target, module.emitBinary());
module.dispose();
console.log(`wrote ${target.pathname}`);
