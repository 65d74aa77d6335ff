import { DEFAULT_STATE_BUCKET, loadConfig } from "../../../stacks/config";

describe("loadConfig", () => {
  it("returns the dev environment with the default state bucket", () => {
    expect(loadConfig("dev", {})).toEqual({
      environment: "dev",
      region: "eu-central-1",
      stageName: "dev",
      logRetentionDays: 14,
      apiThrottling: { rateLimit: 50, burstLimit: 100 },
      lambda: { memorySize: 256, timeout: 10 },
      state: { bucket: DEFAULT_STATE_BUCKET, region: "eu-central-1" },
    });
  });

  it("takes the state bucket from MOVIES_STATE_BUCKET", () => {
    expect(loadConfig("dev", { MOVIES_STATE_BUCKET: "acme-tfstate" }).state).toEqual({
      bucket: "acme-tfstate",
      region: "eu-central-1",
    });
  });

  it("names the known environments when asked for an unknown one", () => {
    expect(() => loadConfig("qa", {})).toThrow('Unknown environment "qa": expected one of dev');
  });
});
