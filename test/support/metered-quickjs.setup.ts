/** Vitest setup for Node projects: every evaluator in the test process uses the metered QuickJS. */
import { useMeteredQuickJS } from "../../cli/metered-quickjs.ts";

await useMeteredQuickJS();
