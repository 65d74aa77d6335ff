import { Testing, TerraformStack } from "cdktf";
import { Topic, type TopicProps } from "../../../constructs/topic";
import { synthesize, type SynthesizedStack } from "../../helpers/synth";

/** A scratch stack holding one topic `<id>`, synthesized. */
function synthTopic(id: string, props: TopicProps): SynthesizedStack {
  const stack = new TerraformStack(Testing.app(), "test");
  new Topic(stack, id, props);
  return synthesize(stack);
}

const ACCOUNT_ADMINISTERS_KEY = {
  sid: "AccountAdministersKey",
  effect: "Allow",
  principals: [
    { type: "AWS", identifiers: ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"] },
  ],
  actions: ["kms:*"],
  resources: ["*"],
};
const SCOPED = (services: string[]) => ({
  sid: "ServicesPublishEncrypted",
  effect: "Allow",
  principals: [{ type: "Service", identifiers: services }],
  actions: ["kms:Decrypt", "kms:GenerateDataKey"],
  resources: ["*"],
  condition: [
    {
      test: "StringEquals",
      variable: "aws:SourceAccount",
      values: ["${data.aws_caller_identity.current.account_id}"],
    },
  ],
});
// Unconditioned: EventBridge's deliveries do not carry aws:SourceAccount to KMS.
const UNSCOPED = (services: string[]) => ({
  sid: "ServicesPublishEncryptedUnscoped",
  effect: "Allow",
  principals: [{ type: "Service", identifiers: services }],
  actions: ["kms:Decrypt", "kms:GenerateDataKey"],
  resources: ["*"],
});

describe("Topic", () => {
  it("is <name>-<env>, encrypted with its own rotated key, aliased alias/<name>-<env>", () => {
    const synth = synthTopic("news_topic", { name: "news", environment: "dev" });
    expect(synth.resource.aws_sns_topic?.news_topic).toEqual({
      name: "news-dev",
      kms_master_key_id: "${aws_kms_key.news_topic_key.arn}",
    });
    expect(synth.resource.aws_kms_key?.news_topic_key).toEqual({
      description: "Encrypts the messages of the news-dev topic",
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      policy: "${data.aws_iam_policy_document.news_topic_key_policy_document.json}",
    });
    expect(synth.resource.aws_kms_alias?.news_topic_key_alias).toEqual({
      name: "alias/news-dev",
      target_key_id: "${aws_kms_key.news_topic_key.key_id}",
    });
  });
});

describe("Topic key policy", () => {
  it("lets the account administer the key and, by default, EventBridge use it, unconditioned", () => {
    const synth = synthTopic("news_topic", { name: "news", environment: "dev" });
    expect(synth.data.aws_iam_policy_document?.news_topic_key_policy_document?.statement).toEqual([
      ACCOUNT_ADMINISTERS_KEY,
      UNSCOPED(["events.amazonaws.com"]),
    ]);
  });

  it("limits CloudWatch alarms to this account (they send aws:SourceAccount)", () => {
    const synth = synthTopic("alerts", {
      name: "alerts",
      environment: "dev",
      publishingServices: ["cloudwatch.amazonaws.com"],
    });
    expect(synth.data.aws_iam_policy_document?.alerts_key_policy_document?.statement).toEqual([
      ACCOUNT_ADMINISTERS_KEY,
      SCOPED(["cloudwatch.amazonaws.com"]),
    ]);
  });

  it("scopes services that send aws:SourceAccount to the account, and leaves EventBridge's grant apart", () => {
    const synth = synthTopic("mixed_topic", {
      name: "mixed",
      environment: "dev",
      publishingServices: ["cloudwatch.amazonaws.com", "events.amazonaws.com"],
    });
    expect(synth.data.aws_iam_policy_document?.mixed_topic_key_policy_document?.statement).toEqual([
      ACCOUNT_ADMINISTERS_KEY,
      SCOPED(["cloudwatch.amazonaws.com"]),
      UNSCOPED(["events.amazonaws.com"]),
    ]);
  });
});
