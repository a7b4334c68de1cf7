/** The metered QuickJS wasm (`generated/`): wrangler's default `**\/*.wasm` CompiledWasm rule makes it a module. */
declare module "*/quickjs-metered.wasm" {
  const wasmModule: WebAssembly.Module;
  export default wasmModule;
}
