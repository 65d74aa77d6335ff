import { Testing, TerraformStack } from "cdktf";
import { Topic } from "../../../constructs/topic";
import { synthesize } from "../../helpers/synth";

describe("Topic key policy", () => {
  it("scopes services that send aws:SourceAccount to the account, and leaves EventBridge's grant apart", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    new Topic(stack, "mixed_topic", {
      name: "mixed",
      environment: "dev",
      publishingServices: ["cloudwatch.amazonaws.com", "events.amazonaws.com"],
    });
    const statements =
      synthesize(stack).data.aws_iam_policy_document?.mixed_topic_key_policy_document?.statement;
    expect((statements as { sid: string }[]).slice(1)).toEqual([
      {
        sid: "ServicesPublishEncrypted",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: ["*"],
        condition: [
          {
            test: "StringEquals",
            variable: "aws:SourceAccount",
            values: ["${data.aws_caller_identity.current.account_id}"],
          },
        ],
      },
      {
        sid: "ServicesPublishEncryptedUnscoped",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: ["*"],
      },
    ]);
  });
});
