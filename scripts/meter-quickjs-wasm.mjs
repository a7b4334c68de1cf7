/**
 * @module
 * Builds `generated/quickjs-metered.wasm`: QuickJS's WebAssembly (from
 * `@jitl/quickjs-wasmfile-release-sync`) with a fuel counter that every function entry, loop
 * header and return decrements, and a trap (`unreachable`) when it goes below zero. QuickJS polls
 * its interrupt handler only from bytecode, so a built-in that loops natively, or an operator
 * whose cost grows with its operands (`===` of two long strings), runs unseen between two polls;
 * the fuel counts what the WebAssembly actually does, so the sandbox can charge it and stop it
 * (`engine/expressions/wasm-fuel.ts`). Binaryen's own `log-execution` pass places the counting
 * calls; this script replaces the logging import it adds with the counter and inlines it. A bulk
 * memory instruction (`memory.copy`, `memory.fill`: QuickJS's memcpy and memset) is one
 * instruction whatever its size, so each is routed through a function that first takes one unit
 * per `BULK_BYTES_PER_UNIT` bytes.
 * Run by `npm install`/`npm ci` (postinstall) and by hand: `node scripts/meter-quickjs-wasm.mjs`.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import binaryen from "binaryen";

/** The exported global the host fills before each sandbox call and reads back. */
const FUEL_GLOBAL = "edgeflow_fuel";
/** The function `log-execution` calls (an import until this script defines it). */
const COUNTER = "log_execution";
/** Bytes of a bulk copy or fill per unit of fuel (2^5: about 32 bytes of memcpy per loop iteration's time). */
const BULK_SHIFT = 5;
/** The functions that charge a bulk copy or fill by its size, then do it. */
const BULK = { copy: "edgeflow_memory_copy", fill: "edgeflow_memory_fill" };

const require = createRequire(import.meta.url);
const source = require.resolve("@jitl/quickjs-wasmfile-release-sync/wasm");
const target = new URL("../generated/quickjs-metered.wasm", import.meta.url);

const { Features } = binaryen;
// what the emscripten build uses; binaryen must know them to read and write it unchanged
const FEATURES =
  Features.MVP |
  Features.MutableGlobals |
  Features.NontrappingFPToInt |
  Features.BulkMemory |
  Features.BulkMemoryOpt |
  Features.SignExt |
  Features.ReferenceTypes |
  Features.Multivalue |
  Features.CallIndirectOverlong;
const { i32 } = binaryen;

const counted = binaryen.readBinary(readFileSync(source));
counted.setFeatures(FEATURES);
counted.runPasses(["log-execution"]);
counted.removeFunction(COUNTER);
counted.addGlobal(FUEL_GLOBAL, i32, true, counted.i32.const(0x7fffffff));
counted.addGlobalExport(FUEL_GLOBAL, FUEL_GLOBAL);
/** Takes `units` (an i32 expression) from the fuel; traps below zero. */
const spend = (units) => [
  counted.global.set(FUEL_GLOBAL, counted.i32.sub(counted.global.get(FUEL_GLOBAL, i32), units)),
  counted.if(
    counted.i32.lt_s(counted.global.get(FUEL_GLOBAL, i32), counted.i32.const(0)),
    counted.unreachable(),
  ),
];
counted.addFunction(
  COUNTER,
  binaryen.createType([i32]),
  binaryen.none,
  [],
  counted.block(null, spend(counted.i32.const(1))),
);
// (destination, source or value, size): first one unit per 2^BULK_SHIFT bytes, then the instruction
const argument = (index) => counted.local.get(index, i32);
for (const [name, instruction] of [
  [BULK.copy, counted.memory.copy],
  [BULK.fill, counted.memory.fill],
]) {
  const sizeUnits = counted.i32.shr_u(argument(2), counted.i32.const(BULK_SHIFT));
  const body = [...spend(sizeUnits), instruction(argument(0), argument(1), argument(2))];
  counted.addFunction(
    name,
    binaryen.createType([i32, i32, i32]),
    binaryen.none,
    [],
    counted.block(null, body),
  );
}

// Binaryen.js cannot walk expressions, so the bulk instructions are rerouted in the text form:
// in folded s-expressions `(memory.copy DEST SRC SIZE)` becomes `(call $f DEST SRC SIZE)`, with
// the operands in the helpers' parameter order. The two helpers keep their own instructions.
const text = counted.emitText();
counted.dispose();
const helpersAt = text.indexOf(`(func $${BULK.copy}`);
const rerouted = (part) =>
  part.replaceAll("(memory.copy", `(call $${BULK.copy}`).replaceAll("(memory.fill", `(call $${BULK.fill}`);
const helpersEnd = text.indexOf("\n )\n", text.indexOf(`(func $${BULK.fill}`)) + 4;
if (helpersAt < 0 || helpersEnd < helpersAt)
  throw new Error("the bulk-memory helpers were not found in the text");
const bulkSites = (text.match(/\(memory\.(copy|fill)\b/g) ?? []).length - 2;
if (bulkSites < 1)
  throw new Error("no memory.copy or memory.fill found to charge: has the QuickJS build changed?");
const module = binaryen.parseText(
  rerouted(text.slice(0, helpersAt)) + text.slice(helpersAt, helpersEnd) + rerouted(text.slice(helpersEnd)),
);
module.setFeatures(FEATURES);
binaryen.setAlwaysInlineMaxSize(40);
module.runPasses(["inlining", "vacuum"]);
if (!module.validate()) throw new Error("the metered QuickJS module does not validate");
mkdirSync(new URL(".", target), { recursive: true });
writeFileSync(target, module.emitBinary());
module.dispose();
console.log(`wrote ${target.pathname} (${bulkSites} bulk-memory sites charged by size)`);
