// One linter (typescript-eslint) for correctness; formatting is prettier's job (npm run lint runs both).
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "cdktf.out/**", "cdktf.out.hcl/**", ".local/**", "coverage/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@cdktf/provider-aws",
              message:
                "Import from @cdktf/provider-aws/lib/<resource>: the barrel costs ~2 s and ~570 MB per process.",
            },
          ],
        },
      ],
    },
  },
);
