/**
 * @module
 * Every expression, computed transform and template found in the AroMCP reference workflows
 * (shared/reference/aromcp-workflows/*.yaml and phase5-era/*.yaml), copied here as text with
 * realistic bindings and the value each must produce. The suite must not read the reference
 * folder at test time. Sources are the JavaScript text after YAML unescaping: `'\n'` in a block
 * scalar and `'\\n'` in a double-quoted scalar both reach the sandbox as `'\n'`.
 */

export interface ExpressionFixture {
  /** Workflow and field the text comes from. */
  from: string;
  source: string;
  bindings: Record<string, unknown>;
  expected: unknown;
}

export interface TemplateFixture {
  from: string;
  text: string;
  bindings: Record<string, unknown>;
  expected: unknown;
}

const codeFilterBody = (excludeDirs: string) => `input.filter(file => {
  const codeExts = ['.py', '.pyi', '.ts', '.tsx', '.js', '.jsx', '.java', '.cpp', '.cc', '.cxx', '.h', '.hpp', '.cs', '.rb'];
  const excludeDirs = [${excludeDirs}];
  const parts = file.split('/');
  const hasExcluded = parts.some(part => excludeDirs.includes(part));
  const isCode = codeExts.some(ext => file.endsWith(ext));
  return !hasExcluded && isCode;
})
`;
const enforceExcludes =
  "'node_modules', '__pycache__', '.git', 'dist', 'build', 'target', 'bin', 'obj', 'out', '.venv', 'venv', 'env', '.pytest_cache', '.mypy_cache', 'vendor', 'eslint', '.aromcp', '.claude'";
const subAgentExcludes =
  "'node_modules', 'cache', '.git', 'dist', 'build', 'target', 'bin', 'obj', 'out', '.venv', 'venv', 'env', 'vendor'";

const changedFiles = [
  "src/app.ts",
  "src/view.tsx",
  "README.md",
  "node_modules/pkg/index.js",
  "dist/bundle.js",
  "lib/tool.py",
  ".claude/settings.json",
  "vendor/lib.rb",
];

const npmList = [
  "Package   Current  Wanted  Latest  Location  outdated",
  "react     17.0.2   17.0.2  18.2.0  node_modules/react  outdated",
  "lodash    4.17.20  4.17.21 4.17.21 node_modules/lodash  outdated",
  "zod       3.0.0    3.0.0   3.0.0   node_modules/zod",
].join("\n");

const processingResults = {
  "src/app.ts": { success: true, attempts: 1, last_error: "" },
  "src/view.tsx": { success: false, attempts: 3, last_error: "TS2322: Type 'string' is not assignable" },
  "lib/tool.py": { success: false, attempts: 10, last_error: "E501 line too long" },
};

/** Computed-field transforms: `input` is the value of `from` (an array when `from` is a list). */
export const transformFixtures: ExpressionFixture[] = [
  {
    from: "analyze-dependencies computed.dependencies",
    source: "JSON.parse(input).dependencies || {}\n",
    bindings: { input: '{"name":"app","dependencies":{"react":"17.0.2","lodash":"4.17.20"}}' },
    expected: { react: "17.0.2", lodash: "4.17.20" },
  },
  {
    from: "analyze-dependencies computed.dependencies (no dependencies)",
    source: "JSON.parse(input).dependencies || {}\n",
    bindings: { input: '{"name":"app"}' },
    expected: {},
  },
  {
    from: "analyze-dependencies computed.outdated_deps",
    source: String.raw`input.split('\n')
  .filter(line => line.includes('outdated'))
  .map(line => {
    const parts = line.split(/\s+/);
    return {
      name: parts[0],
      current: parts[1],
      wanted: parts[2],
      latest: parts[3]
    };
  })
`,
    bindings: { input: npmList },
    expected: [
      { name: "Package", current: "Current", wanted: "Wanted", latest: "Latest" },
      { name: "react", current: "17.0.2", wanted: "17.0.2", latest: "18.2.0" },
      { name: "lodash", current: "4.17.20", wanted: "4.17.21", latest: "4.17.21" },
    ],
  },
  {
    from: "analyze-dependencies computed.security_risks",
    source: `input[0].filter(dep => {
  const current = input[1][dep.name];
  return current && dep.latest.split('.')[0] > current.split('.')[0];
})
`,
    bindings: {
      input: [
        [
          { name: "react", current: "17.0.2", wanted: "17.0.2", latest: "18.2.0" },
          { name: "lodash", current: "4.17.20", wanted: "4.17.21", latest: "4.17.21" },
          { name: "left-pad", current: "1.0.0", wanted: "1.0.0", latest: "2.0.0" },
        ],
        { react: "17.0.2", lodash: "4.17.20" },
      ],
    },
    expected: [{ name: "react", current: "17.0.2", wanted: "17.0.2", latest: "18.2.0" }],
  },
  {
    from: "code-standards-enforce computed.changed_files",
    source: String.raw`input.split('\n').filter(line => line.trim() !== '')`,
    bindings: { input: "src/app.ts\n\nREADME.md\n  \nlib/tool.py\n" },
    expected: ["src/app.ts", "README.md", "lib/tool.py"],
  },
  {
    from: "code-standards-enforce computed.code_files",
    source: codeFilterBody(enforceExcludes),
    bindings: { input: changedFiles },
    expected: ["src/app.ts", "src/view.tsx", "lib/tool.py"],
  },
  {
    from: "test-sub-agents computed.code_files",
    source: codeFilterBody(subAgentExcludes),
    bindings: { input: [...changedFiles, "cache/x.ts", "eslint/rule.js"] },
    expected: ["src/app.ts", "src/view.tsx", "lib/tool.py", "eslint/rule.js"],
  },
  {
    from: "code-standards-enforce computed.total_files",
    source: "input.length",
    bindings: { input: ["a.ts", "b.ts"] },
    expected: 2,
  },
  {
    from: "code-standards-enforce computed.has_files",
    source: "input.length > 0",
    bindings: { input: [] },
    expected: false,
  },
  {
    from: "code-standards-enforce computed.all_processed",
    source: "Object.keys(input[0]).length === input[1].length",
    bindings: { input: [processingResults, ["src/app.ts", "src/view.tsx", "lib/tool.py"]] },
    expected: true,
  },
  {
    from: "code-standards-enforce computed.failed_files",
    source: "Object.entries(input).filter(([_, result]) => !result.success).map(([file, _]) => file)",
    bindings: { input: processingResults },
    expected: ["src/view.tsx", "lib/tool.py"],
  },
  {
    from: "code-standards-enforce computed.processed_count",
    source: "Object.keys(input).length",
    bindings: { input: processingResults },
    expected: 3,
  },
  {
    from: "code-standards-enforce sub-agent computed.is_typescript_file",
    source: "input.endsWith('.ts') || input.endsWith('.tsx')",
    bindings: { input: "src/view.tsx" },
    expected: true,
  },
  {
    from: "code-standards-enforce sub-agent computed.lint_completed (not run yet)",
    source: "input && input.success && (!input.data.errors || input.data.errors.length === 0)",
    bindings: { input: null },
    expected: null,
  },
  {
    from: "code-standards-enforce sub-agent computed.lint_completed",
    source: "input && input.success && (!input.data.errors || input.data.errors.length === 0)",
    bindings: { input: { success: true, data: { errors: [] } } },
    expected: true,
  },
  {
    from: "code-standards-enforce sub-agent computed.typescript_completed",
    source:
      "!input[1] || (input[0] && input[0].success && (!input[0].data.errors || input[0].data.errors.length === 0))",
    bindings: { input: [{ success: true, data: { errors: ["TS2322"] } }, true] },
    expected: false,
  },
  {
    from: "code-standards-enforce sub-agent computed.typescript_completed (not a TS file)",
    source:
      "!input[1] || (input[0] && input[0].success && (!input[0].data.errors || input[0].data.errors.length === 0))",
    bindings: { input: [null, false] },
    expected: true,
  },
  {
    from: "code-standards-enforce sub-agent computed.all_steps_completed",
    source: "input[0] && input[1]",
    bindings: { input: [true, false] },
    expected: false,
  },
  {
    from: "code-standards-enforce sub-agent computed.can_continue",
    source: "input[0] < input[1] && !input[2]",
    bindings: { input: [3, 10, false] },
    expected: true,
  },
  {
    from: "test-agent-communication computed.has_issues",
    source: "input.length > 0",
    bindings: { input: [{ rule: "no-unused-vars", line: 3 }] },
    expected: true,
  },
  {
    from: "test-agent-communication computed.issue_count",
    source: "input.length",
    bindings: { input: [{ rule: "no-unused-vars" }, { rule: "eqeqeq" }] },
    expected: 2,
  },
  {
    from: "test-agent-communication computed.fix_count (no fixes yet)",
    source: "input ? input.length : 0",
    bindings: { input: undefined },
    expected: 0,
  },
  {
    from: "test-agent-communication computed.fix_count",
    source: "input ? input.length : 0",
    bindings: { input: ["use ===", "remove x"] },
    expected: 2,
  },
  {
    from: "test-simple computed.doubled",
    source: "input * 2",
    bindings: { input: 5 },
    expected: 10,
  },
  {
    from: "test-sub-agents computed.final_files (git output empty)",
    source: "input[0].length > 0 ? input[0] : input[1]",
    bindings: { input: [[], ["docs/guide.md"]] },
    expected: ["docs/guide.md"],
  },
  {
    from: "test-sub-agents computed.typescript_files",
    source: "input.filter(f => f.endsWith('.ts') || f.endsWith('.tsx'))",
    bindings: { input: ["src/app.ts", "src/view.tsx", "src/old.js"] },
    expected: ["src/app.ts", "src/view.tsx"],
  },
  {
    from: "test-sub-agents computed.javascript_files",
    source: "input.filter(f => f.endsWith('.js') || f.endsWith('.jsx'))",
    bindings: { input: ["src/app.ts", "src/old.js", "src/button.jsx"] },
    expected: ["src/old.js", "src/button.jsx"],
  },
  {
    from: "test-sub-agents computed.all_processed (no results yet)",
    source: "Object.keys(input[0] || {}).length === input[1].length",
    bindings: { input: [null, ["a.ts"]] },
    expected: false,
  },
  {
    from: "test-sub-agents computed.failed_files (no results yet)",
    source: "Object.entries(input || {}).filter(([_, result]) => !result.success).map(([file, _]) => file)",
    bindings: { input: undefined },
    expected: [],
  },
  {
    from: "test-sub-agents sub-agent computed.hints_completed",
    source: "input.hints !== null && input.hints.success === true",
    bindings: { input: { hints: { success: true, completed_at: 1 }, lint: null, typescript: null } },
    expected: true,
  },
  {
    from: "test-sub-agents sub-agent computed.lint_completed",
    source: "input.lint !== null && input.lint.success === true",
    bindings: { input: { hints: null, lint: null, typescript: null } },
    expected: false,
  },
  {
    from: "test-sub-agents sub-agent computed.typescript_completed",
    source: "!input[1] || (input[0].typescript !== null && input[0].typescript.success === true)",
    bindings: { input: [{ typescript: { success: true } }, true] },
    expected: true,
  },
  {
    from: "test-sub-agents sub-agent computed.all_steps_completed",
    source: "input[0] && input[1] && input[2]",
    bindings: { input: [true, true, true] },
    expected: true,
  },
];

/** Bare expressions: conditions and client-step state-update values over a step's result. */
export const expressionFixtures: ExpressionFixture[] = [
  {
    from: "test-agent-communication process_analysis value",
    source: "response",
    bindings: { response: { summary: "2 issues", fixes: ["a"], priorities: { a: "high" } } },
    expected: { summary: "2 issues", fixes: ["a"], priorities: { a: "high" } },
  },
  {
    from: "test-agent-communication process_analysis value",
    source: "response.fixes",
    bindings: { response: { summary: "2 issues", fixes: ["use ===", "remove x"] } },
    expected: ["use ===", "remove x"],
  },
  {
    from: "test-agent-communication confirm_fixes value",
    source: "response.success",
    bindings: { response: { success: true, files_modified: ["a.ts"] } },
    expected: true,
  },
  {
    from: "test-sub-agents auto_complete_typescript value (a JSON literal)",
    source: '{"success": true, "skipped": true, "reason": "Not a TypeScript/JavaScript file"}',
    bindings: {},
    expected: { success: true, skipped: true, reason: "Not a TypeScript/JavaScript file" },
  },
  {
    from: "test-sub-agents mark_final_success value",
    source: "true",
    bindings: {},
    expected: true,
  },
];

const enforceThis = {
  git_output: "src/app.ts\nlib/tool.py",
  processing_results: processingResults,
  success_count: 1,
  failure_count: 2,
  comparison_target: "",
  changed_files: ["src/app.ts", "lib/tool.py"],
  code_files: ["src/app.ts", "src/view.tsx", "lib/tool.py"],
  total_files: 3,
  has_files: true,
  all_processed: true,
  failed_files: ["src/view.tsx", "lib/tool.py"],
  processed_count: 3,
};

const lintFailed = { success: false, data: { errors: ["no-unused-vars", "eqeqeq"] } };
const subAgentThis = {
  attempt_number: 2,
  success: false,
  last_error: "",
  lint_tool_output: lintFailed,
  typescript_tool_output: null,
  is_typescript_file: true,
  lint_completed: false,
  typescript_completed: false,
  all_steps_completed: false,
  can_continue: true,
};
const subAgentScopes = {
  this: subAgentThis,
  inputs: { file_path: "src/view.tsx", max_attempts: 10 },
  loop: { iteration: 2 },
};

/** Templates from messages, conditions, items, parameters and state-update values. */
export const templateFixtures: TemplateFixture[] = [
  {
    from: "analyze-dependencies report message",
    text: "Found {{ this.outdated_deps.length }} outdated dependencies\nMajor version updates needed: {{ this.security_risks.length }}",
    bindings: { this: { outdated_deps: [{}, {}, {}], security_risks: [{}] } },
    expected: "Found 3 outdated dependencies\nMajor version updates needed: 1",
  },
  {
    from: "phase5 analyze-dependencies report message (bare names)",
    text: "Found {{ outdated_deps.length }} outdated dependencies\nMajor version updates needed: {{ security_risks.length }}",
    bindings: { outdated_deps: [{}, {}], security_risks: [] },
    expected: "Found 2 outdated dependencies\nMajor version updates needed: 0",
  },
  {
    from: "code-standards-enforce get_changed_files condition",
    text: "{{ inputs.commit }}",
    bindings: { inputs: { commit: "", compare_to: "main" } },
    expected: "",
  },
  {
    from: "code-standards-enforce commit_message",
    text: "Getting files changed in commit {{ inputs.commit }}...",
    bindings: { inputs: { commit: "a1b2c3d", compare_to: "main" } },
    expected: "Getting files changed in commit a1b2c3d...",
  },
  {
    from: "code-standards-enforce git_diff_tree command",
    text: "git diff-tree --no-commit-id --name-only -r {{ inputs.commit }}",
    bindings: { inputs: { commit: "a1b2c3d" } },
    expected: "git diff-tree --no-commit-id --name-only -r a1b2c3d",
  },
  {
    from: "code-standards-enforce diff_message",
    text: "Checking for changed files against {{ inputs.compare_to || 'HEAD' }}...",
    bindings: { inputs: { commit: "", compare_to: "" } },
    expected: "Checking for changed files against HEAD...",
  },
  {
    from: "code-standards-enforce git_diff_status command",
    text: "git diff --name-only {{ inputs.compare_to || 'HEAD' }} && git ls-files --others --exclude-standard",
    bindings: { inputs: { compare_to: "develop" } },
    expected: "git diff --name-only develop && git ls-files --others --exclude-standard",
  },
  {
    from: "code-standards-enforce check_files_to_process condition",
    text: "{{ this.has_files }}",
    bindings: { this: enforceThis },
    expected: true,
  },
  {
    from: "code-standards-enforce files_found_message",
    text: "Found {{ this.total_files }} code files to process",
    bindings: { this: enforceThis },
    expected: "Found 3 code files to process",
  },
  {
    from: "code-standards-enforce process_files_parallel items",
    text: "{{ this.code_files }}",
    bindings: { this: enforceThis },
    expected: ["src/app.ts", "src/view.tsx", "lib/tool.py"],
  },
  {
    from: "code-standards-enforce wait_for_completion condition",
    text: "{{ !this.all_processed }}",
    bindings: { this: { ...enforceThis, all_processed: false } },
    expected: true,
  },
  {
    from: "code-standards-enforce progress_message",
    text: "Processing files... ({{ this.processed_count }}/{{ this.total_files }} complete)",
    bindings: { this: { ...enforceThis, processed_count: 1 } },
    expected: "Processing files... (1/3 complete)",
  },
  {
    from: "code-standards-enforce summary_message",
    text: "====== Code Standards Enforcement Summary ======\nTotal files processed: {{ this.total_files }}\n✅ Successfully fixed: {{ this.success_count }} files\n",
    bindings: { this: enforceThis },
    expected:
      "====== Code Standards Enforcement Summary ======\nTotal files processed: 3\n✅ Successfully fixed: 1 files\n",
  },
  {
    from: "code-standards-enforce check_failures condition",
    text: "{{ this.failure_count > 0 }}",
    bindings: { this: enforceThis },
    expected: true,
  },
  {
    from: "code-standards-enforce failures_message",
    text: "❌ Failed to fix: {{ this.failure_count }} files",
    bindings: { this: enforceThis },
    expected: "❌ Failed to fix: 2 files",
  },
  {
    from: "code-standards-enforce list_failed_files items",
    text: "{{ this.failed_files }}",
    bindings: { this: enforceThis },
    expected: ["src/view.tsx", "lib/tool.py"],
  },
  {
    from: "code-standards-enforce failed_file_details",
    text: "- {{ item }}\n  Attempts: {{ this.processing_results[item].attempts }}\n  Last error: {{ this.processing_results[item].last_error }}\n",
    bindings: { this: enforceThis, item: "lib/tool.py" },
    expected: "- lib/tool.py\n  Attempts: 10\n  Last error: E501 line too long\n",
  },
  {
    from: "code-standards-enforce sub-agent standards_enforcement_loop condition",
    text: "{{ this.can_continue }}",
    bindings: subAgentScopes,
    expected: true,
  },
  {
    from: "code-standards-enforce sub-agent attempt_message",
    text: "Starting attempt {{ loop.iteration }} for {{ inputs.file_path }}",
    bindings: subAgentScopes,
    expected: "Starting attempt 2 for src/view.tsx",
  },
  {
    from: "code-standards-enforce sub-agent get_hints_step condition",
    text: "{{ loop.iteration === 1 }}",
    bindings: subAgentScopes,
    expected: false,
  },
  {
    from: "code-standards-enforce sub-agent apply_hints_instruction prompt",
    text: "Review the hints and apply ALL suggested improvements to {{ inputs.file_path }}. Apply fixes carefully to maintain functionality.",
    bindings: subAgentScopes,
    expected:
      "Review the hints and apply ALL suggested improvements to src/view.tsx. Apply fixes carefully to maintain functionality.",
  },
  {
    from: "code-standards-enforce sub-agent lint_step condition",
    text: "{{ !this.lint_completed }}",
    bindings: subAgentScopes,
    expected: true,
  },
  {
    from: "code-standards-enforce sub-agent process_lint_results condition",
    text: "{{ this.lint_tool_output.success && (!this.lint_tool_output.data.errors || this.lint_tool_output.data.errors.length === 0) }}",
    bindings: subAgentScopes,
    expected: false,
  },
  {
    from: "code-standards-enforce sub-agent typescript_step condition",
    text: "{{ this.is_typescript_file && this.lint_completed && !this.typescript_completed }}",
    bindings: { ...subAgentScopes, this: { ...subAgentThis, lint_completed: true } },
    expected: true,
  },
  {
    from: "code-standards-enforce sub-agent process_typescript_results condition",
    text: "{{ this.typescript_tool_output.success && (!this.typescript_tool_output.data.errors || this.typescript_tool_output.data.errors.length === 0) }}",
    bindings: {
      ...subAgentScopes,
      this: { ...subAgentThis, typescript_tool_output: { success: true, data: { errors: [] } } },
    },
    expected: true,
  },
  {
    from: "code-standards-enforce sub-agent skip_typescript_for_non_ts condition",
    text: "{{ !this.is_typescript_file && this.lint_completed }}",
    bindings: subAgentScopes,
    expected: false,
  },
  {
    from: "code-standards-enforce sub-agent final_result_processing condition",
    text: "{{ this.all_steps_completed }}",
    bindings: subAgentScopes,
    expected: false,
  },
  {
    from: "code-standards-enforce sub-agent success_message",
    text: "✅ Successfully enforced standards on {{ inputs.file_path }} in {{ loop.iteration }} attempts",
    bindings: subAgentScopes,
    expected: "✅ Successfully enforced standards on src/view.tsx in 2 attempts",
  },
  {
    from: "code-standards-enforce sub-agent failure_message",
    text: "❌ Failed to enforce standards on {{ inputs.file_path }} after {{ loop.iteration }} attempts",
    bindings: subAgentScopes,
    expected: "❌ Failed to enforce standards on src/view.tsx after 2 attempts",
  },
  {
    from: "code-standards-enforce sub-agent failure_details",
    text: `📊 Detailed Status:
- Lint: {{ this.lint_completed ? '✅ Completed' : '❌ Failed' }}{{ this.lint_tool_output && this.lint_tool_output.data && this.lint_tool_output.data.errors ? ' (' + this.lint_tool_output.data.errors.length + ' errors)' : '' }}
- TypeScript: {{ this.typescript_completed ? '✅ Completed' : (this.is_typescript_file ? '❌ Failed' : '⏭️ Skipped') }}{{ this.is_typescript_file && this.typescript_tool_output && this.typescript_tool_output.data && this.typescript_tool_output.data.errors ? ' (' + this.typescript_tool_output.data.errors.length + ' errors)' : '' }}

🔧 Debug Information:
- Max Attempts: {{ inputs.max_attempts }}
- Current Attempt: {{ loop.iteration }}
- Can Continue: {{ this.can_continue }}
- All Steps Completed: {{ this.all_steps_completed }}
- Is TypeScript File: {{ this.is_typescript_file }}
`,
    bindings: subAgentScopes,
    expected: `📊 Detailed Status:
- Lint: ❌ Failed (2 errors)
- TypeScript: ❌ Failed

🔧 Debug Information:
- Max Attempts: 10
- Current Attempt: 2
- Can Continue: true
- All Steps Completed: false
- Is TypeScript File: true
`,
  },
  {
    from: "code-standards-enforce sub-agent diagnostic_dump",
    text: `🔍 Full Diagnostic Information:
\`\`\`
File: {{ inputs.file_path }}
TypeScript File: {{ this.is_typescript_file || 'unknown' }}

Execution State:
- Attempt: {{ loop.iteration }}
- Max Attempts: {{ inputs.max_attempts }}
- Can Continue: {{ this.can_continue || 'unknown' }}
- All Completed: {{ this.all_steps_completed || 'unknown' }}

Step Completion Status:
- Lint: {{ this.lint_completed || 'unknown' }}
- TypeScript: {{ this.typescript_completed || 'unknown' }}

Tool Outputs:
- Lint Output: {{ this.lint_tool_output ? (this.lint_tool_output.success ? 'Success' : 'Failed') : 'Not run' }}
- TypeScript Output: {{ this.typescript_tool_output ? (this.typescript_tool_output.success ? 'Success' : 'Failed') : 'Not run' }}
\`\`\`
`,
    bindings: subAgentScopes,
    expected: `🔍 Full Diagnostic Information:
\`\`\`
File: src/view.tsx
TypeScript File: true

Execution State:
- Attempt: 2
- Max Attempts: 10
- Can Continue: true
- All Completed: unknown

Step Completion Status:
- Lint: unknown
- TypeScript: unknown

Tool Outputs:
- Lint Output: Failed
- TypeScript Output: Not run
\`\`\`
`,
  },
  {
    from: "test-agent-communication run_lint parameters.project_path",
    text: "{{ inputs.project_path }}",
    bindings: { inputs: { project_path: "/work/app" } },
    expected: "/work/app",
  },
  {
    from: "test-agent-communication request_analysis prompt",
    text: "Please analyze these lint issues and suggest fixes:\n{{ this.lint_issues }}\n\nProvide a structured response with:\n",
    bindings: { this: { lint_issues: [{ rule: "eqeqeq", line: 4 }] } },
    expected:
      'Please analyze these lint issues and suggest fixes:\n[{"rule":"eqeqeq","line":4}]\n\nProvide a structured response with:\n',
  },
  {
    from: "test-agent-communication request_analysis context.issue_count",
    text: "{{ this.lint_issues.length }}",
    bindings: { this: { lint_issues: [{ rule: "eqeqeq" }, { rule: "semi" }] } },
    expected: 2,
  },
  {
    from: "test-agent-communication apply_fixes condition",
    text: "{{ this.fix_count > 0 }}",
    bindings: { this: { fix_count: 0 } },
    expected: false,
  },
  {
    from: "test-agent-communication apply_fixes_prompt",
    text: "Apply the following fixes to the codebase:\n{{ this.suggested_fixes }}\n",
    bindings: { this: { suggested_fixes: ["use ===", "add semicolon"] } },
    expected: 'Apply the following fixes to the codebase:\n["use ===","add semicolon"]\n',
  },
  {
    from: "test-agent-communication final_summary",
    text: "Analysis complete!\n- Issues found: {{ this.has_issues }}\n- Fixes suggested: {{ this.fix_count }}\n- Fixes applied: {{ this.fixes_applied }}\n",
    bindings: { this: { has_issues: true, fix_count: 2, fixes_applied: false } },
    expected: "Analysis complete!\n- Issues found: true\n- Fixes suggested: 2\n- Fixes applied: false\n",
  },
  {
    from: "test-simple show_counter",
    text: "Counter is {{ this.counter }}, doubled is {{ this.doubled }}",
    bindings: { this: { counter: 5, message: "", doubled: 10 } },
    expected: "Counter is 5, doubled is 10",
  },
  {
    from: "phase5 test-simple show_counter (bare names)",
    text: "Counter is {{ counter }}, doubled is {{ doubled }}",
    bindings: { counter: 5, doubled: 10 },
    expected: "Counter is 5, doubled is 10",
  },
  {
    from: "test-sub-agents files_found_message",
    text: `Found {{ this.total_files }} files to process:
- Changed files: {{ this.changed_files.length }}
- Code files: {{ this.code_files.length }}
- TypeScript files: {{ this.typescript_files.length }}
- JavaScript files: {{ this.javascript_files.length }}
- Final list: {{ this.final_files.slice(0, 5).join(', ') }}{{ this.final_files.length > 5 ? '...' : '' }}
`,
    bindings: {
      this: {
        total_files: 6,
        changed_files: ["a", "b", "c", "d", "e", "f", "g"],
        code_files: ["a.ts", "b.ts", "c.js", "d.js", "e.tsx", "f.jsx"],
        typescript_files: ["a.ts", "b.ts", "e.tsx"],
        javascript_files: ["c.js", "d.js", "f.jsx"],
        final_files: ["a.ts", "b.ts", "c.js", "d.js", "e.tsx", "f.jsx"],
      },
    },
    expected: `Found 6 files to process:
- Changed files: 7
- Code files: 6
- TypeScript files: 3
- JavaScript files: 3
- Final list: a.ts, b.ts, c.js, d.js, e.tsx...
`,
  },
  {
    from: "test-sub-agents start_processing_message",
    text: "Starting parallel processing of {{ this.total_files }} files...",
    bindings: { this: { total_files: 4 } },
    expected: "Starting parallel processing of 4 files...",
  },
  {
    from: "test-sub-agents completion_message",
    text: "✅ Processing complete!\n- Total files: {{ this.total_files }}\n- Processed: {{ this.processed_count }}\n- Failed: {{ this.failed_files.length }}\n",
    bindings: { this: { total_files: 4, processed_count: 4, failed_files: ["x.ts"] } },
    expected: "✅ Processing complete!\n- Total files: 4\n- Processed: 4\n- Failed: 1\n",
  },
  {
    from: "test-sub-agents sub-agent is_typescript_file from",
    text: "{{ file_path }}",
    bindings: { file_path: "src/index.ts" },
    expected: "src/index.ts",
  },
  {
    from: "test-sub-agents sub-agent can_continue from",
    text: "{{ max_attempts }}",
    bindings: { max_attempts: 5 },
    expected: 5,
  },
  {
    from: "test-sub-agents sub-agent get_hints_step condition",
    text: "{{ !this.hints_completed }}",
    bindings: { this: { hints_completed: false } },
    expected: true,
  },
  {
    from: "test-sub-agents sub-agent get_hints state_update.value (success)",
    text: '{{ success ? {"success": true, "completed_at": state.attempt_number} : {"success": false, "error": "Failed to get hints", "attempt": state.attempt_number} }}',
    bindings: { success: true, state: { attempt_number: 2 } },
    expected: { success: true, completed_at: 2 },
  },
  {
    from: "test-sub-agents sub-agent get_hints state_update.value (failure)",
    text: '{{ success ? {"success": true, "completed_at": state.attempt_number} : {"success": false, "error": "Failed to get hints", "attempt": state.attempt_number} }}',
    bindings: { success: false, state: { attempt_number: 3 } },
    expected: { success: false, error: "Failed to get hints", attempt: 3 },
  },
  {
    from: "test-sub-agents sub-agent lint_step condition",
    text: "{{ this.hints_completed && !this.lint_completed }}",
    bindings: { this: { hints_completed: true, lint_completed: false } },
    expected: true,
  },
  {
    from: "test-sub-agents sub-agent run_lint state_update.value",
    text: '{{ success && (!errors || errors.length === 0) ? {"success": true, "completed_at": state.attempt_number} : {"success": false, "errors": (errors ? errors.length : 0), "attempt": state.attempt_number} }}',
    bindings: { success: true, errors: ["semi", "eqeqeq"], state: { attempt_number: 1 } },
    expected: { success: false, errors: 2, attempt: 1 },
  },
  {
    from: "test-sub-agents sub-agent run_typescript state_update.value",
    text: '{{ success && (!errors || errors.length === 0) ? {"success": true, "completed_at": loop.iteration} : {"success": false, "errors": (errors ? errors.length : 0), "attempt": loop.iteration} }}',
    bindings: { success: true, errors: null, loop: { iteration: 4 } },
    expected: { success: true, completed_at: 4 },
  },
  {
    from: "test-sub-agents sub-agent typescript_step condition",
    text: "{{ this.is_typescript_file && this.lint_completed && !this.typescript_completed }}",
    bindings: { this: { is_typescript_file: false, lint_completed: true, typescript_completed: false } },
    expected: false,
  },
  {
    from: "test-sub-agents sub-agent attempt_message",
    text: "Starting attempt {{ loop.iteration }} for {{ file_path }}",
    bindings: { loop: { iteration: 1 }, file_path: "src/index.ts" },
    expected: "Starting attempt 1 for src/index.ts",
  },
  {
    from: "test-sub-agents sub-agent mark_final_failure value",
    text: "Failed to complete all standards checks after {{ loop.iteration }} attempts",
    bindings: { loop: { iteration: 5 } },
    expected: "Failed to complete all standards checks after 5 attempts",
  },
  {
    from: "phase5 code-standards-enforce comparison_target value",
    text: "{{ commit || compare_to || 'HEAD' }}",
    bindings: { commit: "", compare_to: "main" },
    expected: "main",
  },
  {
    from: "phase5 code-standards-enforce condition",
    text: "{{ commit }}",
    bindings: { commit: "a1b2c3d" },
    expected: "a1b2c3d",
  },
  {
    from: "phase5 code-standards-enforce parse_shell_output parameters.output",
    text: "{{ raw.changed_files }}",
    bindings: { raw: { changed_files: "src/a.ts\nsrc/b.py" } },
    expected: "src/a.ts\nsrc/b.py",
  },
  {
    from: "phase5 code-standards-enforce batch_state_update raw.code_files value (block scalar)",
    text: `{{
  raw.changed_files.filter(file => {
    const codeExts = ['.py', '.pyi', '.ts', '.tsx', '.js', '.jsx', '.java', '.cpp', '.cc', '.cxx', '.h', '.hpp', '.cs', '.rb'];
    const excludeDirs = ['node_modules', '__pycache__', '.git', 'dist', 'build', 'target', 'bin', 'obj', 'out', '.venv', 'venv', 'env', '.pytest_cache', '.mypy_cache', 'vendor'];
    const parts = file.split('/');
    const hasExcluded = parts.some(part => excludeDirs.includes(part));
    const isCode = codeExts.some(ext => file.endsWith(ext));
    return !hasExcluded && isCode;
  })
}}
`,
    bindings: { raw: { changed_files: changedFiles } },
    expected: ["src/app.ts", "src/view.tsx", "lib/tool.py"],
  },
  {
    from: "phase5 code-standards-enforce check condition",
    text: "{{ computed.has_files }}",
    bindings: { computed: { has_files: false } },
    expected: false,
  },
  {
    from: "phase5 code-standards-enforce progress message",
    text: "Processing files... ({{ Object.keys(raw.processing_results).length }}/{{ computed.total_files }} complete)",
    bindings: { raw: { processing_results: processingResults }, computed: { total_files: 5 } },
    expected: "Processing files... (3/5 complete)",
  },
  {
    from: "phase5 code-standards-enforce failure condition",
    text: "{{ raw.failure_count > 0 }}",
    bindings: { raw: { failure_count: 0 } },
    expected: false,
  },
  {
    from: "phase5 code-standards-enforce failed file details",
    text: "- {{ failed_file }}\n  Attempts: {{ raw.processing_results[failed_file].attempts }}\n  Last error: {{ raw.processing_results[failed_file].last_error }}\n",
    bindings: { failed_file: "src/view.tsx", raw: { processing_results: processingResults } },
    expected: "- src/view.tsx\n  Attempts: 3\n  Last error: TS2322: Type 'string' is not assignable\n",
  },
  {
    from: "phase5 code-standards-enforce prompt_template",
    text: "You are tasked with enforcing code standards on the file: {{ file_path }}\n\nFollow these steps up to {{ max_attempts }} times until all checks pass:\n",
    bindings: { file_path: "src/a.ts", max_attempts: 10 },
    expected:
      "You are tasked with enforcing code standards on the file: src/a.ts\n\nFollow these steps up to 10 times until all checks pass:\n",
  },
  {
    from: "code-standards-enforce get_hints parameters.file_paths item",
    text: "{{ inputs.file_path }}",
    bindings: { inputs: { file_path: "src/view.tsx" } },
    expected: "src/view.tsx",
  },
];
