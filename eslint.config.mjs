// One linter (typescript-eslint) for correctness; formatting is prettier's job (npm run lint runs both).
import tseslint from "typescript-eslint";

const PROVIDER_BARREL = {
  name: "@cdktf/provider-aws",
  message: "Import from @cdktf/provider-aws/lib/<resource>: the barrel costs ~2 s and ~570 MB per process.",
};

/**
 * The layers, each importing only from the ones below it (README "Layout"):
 *   tooling/ (build tooling, the Terraform JSON model) and lambdas/ (runtime code, no infrastructure)
 *   ← constructs/core/ (naming, IAM helpers, metrics, shared types) ← constructs/ (resources)
 *   ← operations/ (monitoring, dashboard, guardrails) ← stacks/ ← main.ts, bootstrap.ts, local/, review/, bench/.
 * `no-restricted-imports` matches the import string, so each layer lists the folders above it, at any
 * depth of `../`. (The rule's options replace each other, so every layer repeats the provider barrel.)
 */
function layer(files, forbidden, message, extraPaths = []) {
  return restrict(files, [`^(\\.\\./)+(${forbidden.join("|")})(/|$)`], message, extraPaths);
}

function restrict(files, regexes, message, extraPaths = []) {
  return {
    files,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [PROVIDER_BARREL, ...extraPaths],
          patterns: regexes.map((regex) => ({ regex, message })),
        },
      ],
    },
  };
}

const ABOVE_STACKS = ["local", "review", "bench", "main", "bootstrap"];
const ABOVE_OPERATIONS = ["stacks", ...ABOVE_STACKS];
const ABOVE_CONSTRUCTS = ["operations", ...ABOVE_OPERATIONS];
const INFRA = ["tooling", "constructs", ...ABOVE_CONSTRUCTS];

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "dist/**",
      "cdktf.out/**",
      "cdktf.out.hcl/**",
      "cdktf.out.bootstrap/**",
      ".local/**",
      "coverage/**",
    ],
  },
  ...tseslint.configs.recommended,
  {
    // The local Lambda runtime is plain CommonJS so it runs under node without a build step.
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", process: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // A function a newcomer can read in one screen, blank lines and comments included, in every folder
    // outside the tests.
    files: [
      "*.ts",
      "lambdas/**/*.ts",
      "containers/**/*.ts",
      "local/**/*.{ts,cjs}",
      "bench/**/*.ts",
      "review/**/*.ts",
      "constructs/**/*.ts",
      "operations/**/*.ts",
      "stacks/**/*.ts",
      "tooling/**/*.ts",
    ],
    rules: {
      "max-lines-per-function": ["error", { max: 80, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    rules: {
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-imports": ["error", { paths: [PROVIDER_BARREL] }],
    },
  },
  layer(
    ["containers/**/*.ts"],
    INFRA,
    "containers/ is runtime code, like lambdas/ (whose modules it reuses): it imports no infrastructure.",
    ["cdktf", "constructs"].map((name) => ({
      name,
      message: "containers/ is runtime code: no CDKTF in an image.",
    })),
  ),
  layer(
    ["lambdas/**/*.ts"],
    INFRA,
    "lambdas/ is runtime code: it imports no infrastructure (tooling, constructs, operations, stacks, local, review, bench).",
    ["cdktf", "constructs"].map((name) => ({
      name,
      message: "lambdas/ is runtime code: no CDKTF in a bundle.",
    })),
  ),
  layer(
    ["tooling/**/*.ts"],
    ["lambdas", "constructs", ...ABOVE_CONSTRUCTS],
    "tooling/ is the lowest layer: it imports nothing from the project's other folders.",
  ),
  restrict(
    ["constructs/core/*.ts"],
    // `../x` is a resource construct; `../../x` anything at the root but tooling/.
    ["^\\.\\./(?!\\.\\./)", "^\\.\\./\\.\\./(?!tooling(/|$))"],
    "constructs/core/ is below the resource constructs: import only from core/ and tooling/.",
  ),
  layer(
    ["constructs/*.ts"],
    ABOVE_CONSTRUCTS,
    "A resource construct imports only constructs/, constructs/core/ and tooling/: it describes what can be watched (metric*()), the stack's monitoring (operations/) decides.",
  ),
  layer(
    ["operations/**/*.ts"],
    ABOVE_OPERATIONS,
    "operations/ (monitoring, guardrails) sits below stacks/: it imports constructs/, core/ and tooling/ only.",
  ),
  layer(
    ["stacks/**/*.ts"],
    ABOVE_STACKS,
    "stacks/ imports nothing from the runners above it (local, review, bench).",
  ),
);
