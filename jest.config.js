// Three projects: fast unit/stack tests; integration tests against DynamoDB Local and the S3 server
// (started by the tests themselves on free ports; they need `java` 17+ on the PATH); and the Terraform
// checks, which run real Terraform and the AWS provider offline (skipped, with a warning, without Terraform).
// ts-jest only transpiles (isolatedModules in tsconfig); `npm run typecheck` does the type checking.
const tsJest = ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }];

module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      roots: ["<rootDir>/__tests__/unit"],
      transform: { "^.+\\.ts$": tsJest },
      setupFilesAfterEnv: ["<rootDir>/__tests__/helpers/setup-unit.ts"],
    },
    {
      displayName: "integration",
      testEnvironment: "node",
      roots: ["<rootDir>/__tests__/integration"],
      transform: { "^.+\\.ts$": tsJest },
      setupFilesAfterEnv: [
        "<rootDir>/__tests__/helpers/setup-unit.ts",
        "<rootDir>/__tests__/helpers/setup-integration.ts",
      ],
    },
    {
      displayName: "terraform",
      testEnvironment: "node",
      roots: ["<rootDir>/__tests__/terraform"],
      transform: { "^.+\\.ts$": tsJest },
      setupFilesAfterEnv: ["<rootDir>/__tests__/helpers/setup-terraform.ts"],
    },
  ],
};
