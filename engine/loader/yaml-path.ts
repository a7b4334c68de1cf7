/**
 * @module
 * Paths into a workflow document (`["steps", 2, "then_steps", 0, "id"]`) and their printed form
 * (`steps[2].then_steps[0].id`).
 */

export type YamlPath = readonly (string | number)[];

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

export function formatYamlPath(path: YamlPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
