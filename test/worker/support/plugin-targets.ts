/**
 * @module
 * What the worker project's global setup (test/support/plugin-targets/global-setup.ts, in Node)
 * hands the tests in workerd through `provide`/`inject`: the port of a local HTTP target and of a
 * real `redis-server` with its credentials. Types only, so both runtimes can import it.
 */

export interface PluginTargets {
  /** http://127.0.0.1:<port>: echo, status, text, recording routes (see http-target.ts). */
  httpPort: number;
  redisPort: number;
  /** The default user's password (`requirepass`). */
  redisPassword: string;
  /** An ACL user besides the default one, for `redis://user:password@` URLs. */
  redisUser: string;
  redisUserPassword: string;
}

declare module "vitest" {
  interface ProvidedContext {
    pluginTargets: PluginTargets;
  }
}
