import { Testing, TerraformOutput, TerraformStack } from "cdktf";
import { LinkedValue, PublishedLink } from "../../../constructs/service-link";
import { synthesize } from "../../helpers/synth";

describe("PublishedLink and LinkedValue", () => {
  it("publish a String parameter under the link's name, and read it by that name", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const published = new PublishedLink(stack, "user_pool_arn_link", {
      environment: "dev",
      service: "auth",
      name: "user-pool-arn",
      value: "${aws_cognito_user_pool.users.arn}",
      description: "The user pool's ARN",
    });
    const linked = new LinkedValue(stack, "user_pool_arn", {
      environment: "dev",
      service: "auth",
      name: "user-pool-arn",
    });
    new TerraformOutput(stack, "read", { value: linked.value });
    const json = synthesize(stack);
    expect(json.resource?.aws_ssm_parameter).toEqual({
      user_pool_arn_link: expect.objectContaining({
        name: "/movies-cdktf/dev/auth/user-pool-arn",
        type: "String",
        value: "${aws_cognito_user_pool.users.arn}",
        description: "The user pool's ARN",
      }),
    });
    expect(json.data?.aws_ssm_parameter).toEqual({
      user_pool_arn: expect.objectContaining({ name: "/movies-cdktf/dev/auth/user-pool-arn" }),
    });
    expect(published.parameterName).toBe(linked.parameterName);
    expect(json.output.read?.value).toBe("${data.aws_ssm_parameter.user_pool_arn.value}");
  });
});
