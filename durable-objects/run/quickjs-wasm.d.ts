/** The QuickJS wasm binary: wrangler's default `**\/*.wasm` CompiledWasm rule makes it a module. */
declare module "@jitl/quickjs-wasmfile-release-sync/wasm" {
  const wasmModule: WebAssembly.Module;
  export default wasmModule;
}
