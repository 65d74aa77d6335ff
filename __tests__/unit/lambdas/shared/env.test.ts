import { requireEnv } from "../../../../lambdas/shared/env";

describe("requireEnv", () => {
  const NAME = "MOVIES_TEST_REQUIRE_ENV";
  afterEach(() => {
    delete process.env[NAME];
  });

  it("returns the value when set", () => {
    process.env[NAME] = "movie_infos";
    expect(requireEnv(NAME)).toBe("movie_infos");
  });

  it("throws an error naming the variable when unset", () => {
    expect(() => requireEnv(NAME)).toThrow(new Error(`Missing required environment variable ${NAME}`));
  });

  it("treats an empty value as unset", () => {
    process.env[NAME] = "";
    expect(() => requireEnv(NAME)).toThrow(`Missing required environment variable ${NAME}`);
  });
});
