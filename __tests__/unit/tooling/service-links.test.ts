import { consumedLinks, linkParameterName, publishedLinks } from "../../../tooling/service-links";
import type { TerraformJson } from "../../../tooling/terraform-json";

const parameter = (name: string, value: string) => ({ name, type: "String", value });

describe("linkParameterName", () => {
  it("names a link /movies-cdktf/<environment>/<service>/<name>", () => {
    expect(linkParameterName({ environment: "dev", service: "auth", name: "user-pool-arn" })).toBe(
      "/movies-cdktf/dev/auth/user-pool-arn",
    );
  });

  it("refuses a part that would change the path's shape, naming the part", () => {
    expect(() => linkParameterName({ environment: "dev", service: "auth/x", name: "arn" })).toThrow(
      'A link\'s service must be lowercase letters, digits and dashes, not "auth/x"',
    );
  });
});

describe("publishedLinks", () => {
  const auth: TerraformJson = {
    resource: {
      aws_ssm_parameter: {
        user_pool_arn: parameter(
          "/movies-cdktf/dev/auth/user-pool-arn",
          "${aws_cognito_user_pool.users.arn}",
        ),
        client_id: parameter("/movies-cdktf/dev/auth/client-id", "literal-client"),
        unrelated: parameter("/other/thing", "x"),
      },
    },
  };

  it("reads every link parameter a stack declares, with the attribute it publishes", () => {
    const links = publishedLinks({ "auth-dev": auth });
    expect([...links.keys()]).toEqual([
      "/movies-cdktf/dev/auth/user-pool-arn",
      "/movies-cdktf/dev/auth/client-id",
    ]);
    expect(links.get("/movies-cdktf/dev/auth/user-pool-arn")).toEqual({
      parameter: "/movies-cdktf/dev/auth/user-pool-arn",
      stack: "auth-dev",
      value: "${aws_cognito_user_pool.users.arn}",
      reference: { type: "aws_cognito_user_pool", name: "users", attribute: "arn" },
    });
    expect(links.get("/movies-cdktf/dev/auth/client-id")).toEqual({
      parameter: "/movies-cdktf/dev/auth/client-id",
      stack: "auth-dev",
      value: "literal-client",
    });
  });

  it("refuses a name two stacks publish, naming both", () => {
    expect(() => publishedLinks({ "auth-dev": auth, "copy-dev": auth })).toThrow(
      "/movies-cdktf/dev/auth/user-pool-arn is published by both auth-dev and copy-dev",
    );
  });
});

describe("consumedLinks", () => {
  it("lists the link parameters a stack's data sources read", () => {
    const json: TerraformJson = {
      data: {
        aws_ssm_parameter: {
          user_pool_arn: { name: "/movies-cdktf/dev/auth/user-pool-arn" },
          other: { name: "/other/thing" },
        },
      },
    };
    expect(consumedLinks(json)).toEqual(["/movies-cdktf/dev/auth/user-pool-arn"]);
  });
});
