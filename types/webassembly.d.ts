/**
 * The part of the WebAssembly JavaScript API that engine code uses, for the Node type-check
 * (`tsconfig.json`: `lib` ES2023 has no WebAssembly; workerd's types, used by
 * `tsconfig.worker.json`, declare the whole API and do not include this file).
 */
declare namespace WebAssembly {
  // biome-ignore lint/suspicious/noEmptyInterface: merges with the other declarations of Module
  interface Module {}
  type ExportValue = unknown;
  type Exports = Record<string, ExportValue>;
  type Imports = Record<string, Record<string, unknown>>;
  interface Instance {
    readonly exports: Exports;
  }
  interface Global {
    value: unknown;
  }
  var Global: {
    prototype: Global;
    new (descriptor: { value: string; mutable?: boolean }, value?: number): Global;
  };
  function instantiate(module: Module, imports?: Imports): Promise<Instance>;
  function compile(bytes: ArrayBufferView | ArrayBuffer): Promise<Module>;
}
