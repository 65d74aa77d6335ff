import { defaultProvider } from "../../../../lambdas/shared/env-credentials";

describe("defaultProvider (the bundles' environment-only credential chain)", () => {
  const VARIABLES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"];
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  beforeEach(() => {
    for (const name of VARIABLES) delete process.env[name];
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("returns the credentials Lambda puts in the environment, session token included", async () => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "ASIAEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_SESSION_TOKEN: "token",
    });
    await expect(defaultProvider()()).resolves.toMatchObject({
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "token",
    });
  });

  it("reads the environment on every call, as the chain's first link does", async () => {
    const provider = defaultProvider();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "first", AWS_SECRET_ACCESS_KEY: "s" });
    await expect(provider()).resolves.toMatchObject({ accessKeyId: "first" });
    process.env.AWS_ACCESS_KEY_ID = "second";
    await expect(provider()).resolves.toMatchObject({ accessKeyId: "second" });
  });

  it("says what is missing, and that no other source is bundled, when there are none", async () => {
    // A profile would send the SDK's full chain to ~/.aws: the bundles never read it.
    process.env.AWS_PROFILE = "dev";
    await expect(defaultProvider()()).rejects.toThrow(
      "No AWS credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): Lambda sets " +
        "them from the function's role, anywhere else set them. This bundle reads no other credential " +
        "source (profiles, SSO, instance metadata): tooling/bundle.ts leaves them out.",
    );
  });
});
