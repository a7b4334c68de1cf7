import type { Env as WorkerEnv } from "../../worker/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
  }
}

/** A file's text, imported with Vite's `?raw` suffix (the README in readme-tools.test.ts). */
declare module "*?raw" {
  const text: string;
  export default text;
}
