import type { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { withAddress } from "./core/resource-construct";

/**
 * The queue policy of an SQS queue that EventBridge rules send to (as a target or as a target's
 * dead-letter queue): `sqs:SendMessage` on that queue only, for `events.amazonaws.com`, only when
 * `aws:SourceArn` is one of the rules it was told about. Created on the first rule, as
 * `aws_sqs_queue_policy.<name>_policy` and `data.aws_iam_policy_document.<name>_policy_document`.
 */
export class EventRuleQueuePolicy {
  private readonly ruleArns: string[] = [];
  private document?: DataAwsIamPolicyDocument;

  constructor(
    private readonly scope: Construct,
    /** The queue's Terraform name (`order_created_queue`). */
    private readonly terraformName: string,
    private readonly queue: { readonly queueUrl: string; readonly queueArn: string },
  ) {}

  /** Admits the rule `ruleArn`. */
  allow(ruleArn: string): void {
    this.ruleArns.push(ruleArn);
    if (!this.document) {
      this.document = new DataAwsIamPolicyDocument(this.scope, "policy_document", {});
      withAddress(this.document, `${this.terraformName}_policy_document`);
      const policy = new SqsQueuePolicy(this.scope, "policy", {
        queueUrl: this.queue.queueUrl,
        policy: this.document.json,
      });
      withAddress(policy, `${this.terraformName}_policy`);
    }
    this.document.putStatement([
      {
        sid: "AllowEventRulesToSend",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        actions: ["sqs:SendMessage"],
        resources: [this.queue.queueArn],
        condition: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [...this.ruleArns] }],
      },
    ]);
  }
}
