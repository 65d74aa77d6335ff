// Three projects: fast unit/stack tests; integration tests against DynamoDB Local and the S3 server
// (one of each per run, started by the integration project's global setup on free ports; they need
// `java` 17+ on the PATH); and the Terraform checks, which run real Terraform and the AWS provider
// offline (skipped, with a warning, without Terraform).
// ts-jest only transpiles (isolatedModules in tsconfig); `npm run typecheck` does the type checking.
const tsJest = ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }];
// Every stack is synthesized once per run, before any suite, and stack tests read it (helpers/synth.ts).
// Jest runs a global setup module once even when two projects name it, and a project's only when one of
// its tests runs: the integration project's also synthesizes (unless the unit project's did), then starts
// the emulators.
const synthOnce = {
  globalSetup: "<rootDir>/__tests__/helpers/global-synth.ts",
  globalTeardown: "<rootDir>/__tests__/helpers/global-synth-teardown.ts",
};
const emulatorsOnce = {
  globalSetup: "<rootDir>/__tests__/helpers/global-emulators.ts",
  globalTeardown: "<rootDir>/__tests__/helpers/global-emulators-teardown.ts",
};

module.exports = {
  // One worker per core. Jest's default is one fewer, which on a 2-core machine runs every file in one worker,
  // while much of a run is waiting (DynamoDB Local, the S3 server, Terraform and its provider): the same files
  // took 275 s with two workers on 2 cores instead of 340–373 s with one (docs/benchmarks.md, "Synth and tests").
  maxWorkers: "100%",
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      roots: ["<rootDir>/__tests__/unit"],
      transform: { "^.+\\.ts$": tsJest },
      setupFilesAfterEnv: ["<rootDir>/__tests__/helpers/setup-unit.ts"],
      ...synthOnce,
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
      ...emulatorsOnce,
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
