import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import type { EventRuleTarget } from "./core/rule-target";
import { callerIdentity } from "./core/iam";
import { waive } from "./core/waivers";
import { kmsAliasName, physicalName } from "./core/naming";
import { ResourceConstruct } from "./core/resource-construct";

export interface TopicProps {
  /** Logical topic name (`order-notifications`); the physical name adds the environment. */
  readonly name: string;
  readonly environment: string;
  /**
   * The AWS services that publish to the topic, and so may use its key (`cloudwatch.amazonaws.com` for
   * alarms).
   * @default ["events.amazonaws.com"] (EventBridge rules)
   */
  readonly publishingServices?: readonly string[];
  /**
   * Days a deleted key waits before it is destroyed (7 to 30).
   * @default 30
   */
  readonly keyDeletionWindowDays?: number;
}

/**
 * Services known to put `aws:SourceAccount` in the request context when SNS uses the key for them
 * (CloudWatch alarms), so their key grant can be limited to this account (confused deputy). EventBridge
 * is not one: its deliveries to an encrypted topic do not carry `aws:SourceAccount`/`aws:SourceArn`
 * to KMS, so that condition would make every delivery fail; its grant stays unconditioned, and the
 * topic policy limits `sns:Publish` to the rules it names, by `aws:SourceArn`.
 */
const SERVICES_SENDING_SOURCE_ACCOUNT: readonly string[] = ["cloudwatch.amazonaws.com"];

/** What SNS needs to encrypt a message a service publishes: scoped to the account where the service allows. */
function publishStatements(services: readonly string[], accountId: string) {
  const scoped = services.filter((s) => SERVICES_SENDING_SOURCE_ACCOUNT.includes(s));
  const unscoped = services.filter((s) => !SERVICES_SENDING_SOURCE_ACCOUNT.includes(s));
  const statement = (sid: string, identifiers: string[]) => ({
    sid,
    effect: "Allow",
    principals: [{ type: "Service", identifiers }],
    actions: ["kms:Decrypt", "kms:GenerateDataKey"],
    resources: ["*"],
  });
  return [
    ...(scoped.length > 0
      ? [
          {
            ...statement("ServicesPublishEncrypted", scoped),
            condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] }],
          },
        ]
      : []),
    ...(unscoped.length > 0 ? [statement("ServicesPublishEncryptedUnscoped", unscoped)] : []),
  ];
}

/**
 * An SNS topic encrypted with its own customer managed KMS key (rotated yearly, alias `alias/<topic>`).
 *
 * Not the AWS managed `alias/aws/sns`: EventBridge and CloudWatch alarms can only publish to an
 * encrypted topic whose key policy lets them use the key, and the policy of an AWS managed key cannot be
 * changed, so with `alias/aws/sns` every delivery would silently fail. As a rule target ({@link EventRuleTarget}) its topic
 * policy admits `sns:Publish` from the rules it is told about, by `aws:SourceArn`, and nothing else.
 */
export class Topic extends ResourceConstruct implements EventRuleTarget {
  readonly resource: SnsTopic;
  readonly key: KmsKey;
  readonly topicName: string;
  readonly topicArn: string;
  readonly keyArn: string;

  private readonly ruleArns: string[] = [];
  private policyDocument?: DataAwsIamPolicyDocument;

  constructor(scope: Construct, id: string, props: TopicProps) {
    super(scope, id);
    const name = physicalName(props.name, props.environment);
    // The account's root administers the key; the stack's data.aws_caller_identity gives it.
    const accountId = callerIdentity(this).accountId;

    const keyPolicy = new DataAwsIamPolicyDocument(this, "key_policy_document", {
      statement: [
        {
          // The key's default policy: the account (through IAM) administers it, or no one could.
          sid: "AccountAdministersKey",
          effect: "Allow",
          principals: [{ type: "AWS", identifiers: [`arn:aws:iam::${accountId}:root`] }],
          actions: ["kms:*"],
          resources: ["*"],
        },
        ...publishStatements(props.publishingServices ?? ["events.amazonaws.com"], accountId),
      ],
    });
    this.address(keyPolicy, "key_policy_document");
    waive(
      keyPolicy,
      "iam-wildcard-action",
      "KMS key policy: the account root keeps kms:* (AWS's default key policy) so IAM decides and the key can never become unmanageable",
    );

    this.key = new KmsKey(this, "key", {
      description: `Encrypts the messages of the ${name} topic`,
      enableKeyRotation: true,
      deletionWindowInDays: props.keyDeletionWindowDays ?? 30,
      policy: keyPolicy.json,
    });
    this.address(this.key, "key");

    const alias = new KmsAlias(this, "key_alias", { name: kmsAliasName(name), targetKeyId: this.key.keyId });
    this.address(alias, "key_alias");

    this.resource = new SnsTopic(this, "topic", { name, kmsMasterKeyId: this.key.arn });
    this.address(this.resource);
    this.topicName = this.resource.name;
    this.topicArn = this.resource.arn;
    this.keyArn = this.key.arn;
  }

  get targetArn(): string {
    return this.topicArn;
  }

  /** Lets the EventBridge rule `ruleArn` publish to this topic (topic policy, by `aws:SourceArn`). */
  allowEventRule(ruleArn: string): void {
    this.ruleArns.push(ruleArn);
    if (!this.policyDocument) {
      this.policyDocument = new DataAwsIamPolicyDocument(this, "policy_document", {});
      this.address(this.policyDocument, "policy_document");
      const policy = new SnsTopicPolicy(this, "policy", {
        arn: this.topicArn,
        policy: this.policyDocument.json,
      });
      this.address(policy, "policy");
    }
    this.policyDocument.putStatement([
      {
        sid: "AllowEventRulesToPublish",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        actions: ["sns:Publish"],
        resources: [this.topicArn],
        condition: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [...this.ruleArns] }],
      },
    ]);
  }
}
