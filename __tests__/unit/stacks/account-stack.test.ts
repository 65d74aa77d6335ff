import { Testing } from "cdktf";
import { ApiGatewayAccount } from "@cdktf/provider-aws/lib/api-gateway-account";
import { addAccountStacks } from "../../../stacks/app";
import { loadConfig } from "../../../stacks/config";
import { addresses, synthesized, type SynthesizedStack } from "../../helpers/synth";

describe("account-eu-central-1: what the account needs once per region, before any service stack", () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesized("account-eu-central-1");
  });

  it("holds API Gateway's CloudWatch Logs role and the account setting that names it, nothing else", () => {
    expect(addresses(synth)).toEqual([
      "aws_api_gateway_account.account",
      "aws_iam_role.api_gateway_cloudwatch_role",
      "aws_iam_role_policy_attachment.api_gateway_cloudwatch_role_policy",
      "data.aws_iam_policy_document.api_gateway_assume_role_policy",
      "data.aws_partition.partition",
    ]);
  });

  it("sets the account's API Gateway CloudWatch role once the managed policy is attached", () => {
    expect(synth.json).toHaveResourceWithProperties(ApiGatewayAccount, {
      cloudwatch_role_arn: "${aws_iam_role.api_gateway_cloudwatch_role.arn}",
      depends_on: ["aws_iam_role_policy_attachment.api_gateway_cloudwatch_role_policy"],
    });
  });

  it("lets only API Gateway assume the role, which has AWS's AmazonAPIGatewayPushToCloudWatchLogs", () => {
    expect(synth.resource.aws_iam_role?.api_gateway_cloudwatch_role).toMatchObject({
      name: "apigateway-cloudwatch-logs-eu-central-1",
      assume_role_policy: "${data.aws_iam_policy_document.api_gateway_assume_role_policy.json}",
    });
    expect(synth.data.aws_iam_policy_document?.api_gateway_assume_role_policy?.statement).toEqual([
      {
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["apigateway.amazonaws.com"] }],
        actions: ["sts:AssumeRole"],
      },
    ]);
    expect(synth.resource.aws_iam_role_policy_attachment?.api_gateway_cloudwatch_role_policy).toEqual({
      role: "${aws_iam_role.api_gateway_cloudwatch_role.name}",
      policy_arn:
        "arn:${data.aws_partition.partition.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
    });
  });

  it("keeps its state in the state bucket, under account/, and tags what it creates", () => {
    expect(synth.terraform.backend).toMatchObject({ s3: { key: "account/account-eu-central-1.tfstate" } });
    expect(JSON.parse(synth.json).provider.aws).toEqual([
      {
        region: "eu-central-1",
        default_tags: [{ tags: { project: "movies-cdktf", service: "account", "managed-by": "cdktf" } }],
      },
    ]);
  });
});

describe("addAccountStacks", () => {
  const ids = (...configs: ReturnType<typeof loadConfig>[]) =>
    addAccountStacks(Testing.app(), configs).map((stack) => stack.node.id);

  it("adds one stack per region the environments share (the committed config: one)", () => {
    expect(ids(loadConfig("dev", {}), loadConfig("staging", {}), loadConfig("prod", {}))).toEqual([
      "account-eu-central-1",
    ]);
  });

  it("adds one per account and region once environments are pinned to accounts, and refuses other accounts", () => {
    const prod = { ...loadConfig("prod", {}), accountId: "222222222222" };
    const staging = { ...loadConfig("staging", {}), accountId: "111111111111" };
    const prodUs = { ...prod, environment: "produs", region: "us-east-1" };
    const stacks = addAccountStacks(Testing.app(), [
      staging,
      prod,
      { ...prod, environment: "prod2" },
      prodUs,
    ]);
    expect(stacks.map((s) => s.node.id)).toEqual([
      "account-111111111111-eu-central-1",
      "account-222222222222-eu-central-1",
      "account-222222222222-us-east-1",
    ]);
    const provider = JSON.parse(Testing.synth(stacks[2] as Parameters<typeof Testing.synth>[0])).provider
      .aws[0];
    expect(provider).toMatchObject({ region: "us-east-1", allowed_account_ids: ["222222222222"] });
  });
});
