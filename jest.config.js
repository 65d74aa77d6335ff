// Two projects: fast unit/stack tests, and integration tests against DynamoDB Local and the S3 server
// (started by the tests themselves on free ports; they need `java` 17+ on the PATH).
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
  ],
};
