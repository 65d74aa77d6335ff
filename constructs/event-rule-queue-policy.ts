import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { withAddress } from "./core/resource-construct";

export interface EventRuleQueuePolicyProps {
  /** The queue EventBridge rules send to. */
  readonly queue: { readonly queueUrl: string; readonly queueArn: string };
  /** The queue's Terraform name (`order_created_queue`), which the policy's addresses derive from. */
  readonly terraformName: string;
}

/**
 * The queue policy of an SQS queue that EventBridge rules send to (as a target or as a target's
 * dead-letter queue): `sqs:SendMessage` on that queue only, for `events.amazonaws.com`, only when
 * `aws:SourceArn` is one of the rules it was told about (`allow`). Created on the first rule, as
 * `aws_sqs_queue_policy.<name>_policy` and `data.aws_iam_policy_document.<name>_policy_document`.
 *
 * Its two resources belong to the queue: they are created in `scope` (the queue construct), beside this
 * construct rather than under it, so their construct paths are the queue's, as they were before this
 * was a construct, and the synthesized stacks stay the same.
 */
export class EventRuleQueuePolicy extends Construct {
  private readonly ruleArns: string[] = [];
  private document?: DataAwsIamPolicyDocument;

  constructor(
    private readonly owner: Construct,
    id: string,
    private readonly props: EventRuleQueuePolicyProps,
  ) {
    super(owner, id);
  }

  /** Admits the rule `ruleArn`. */
  allow(ruleArn: string): void {
    this.ruleArns.push(ruleArn);
    const { queue, terraformName } = this.props;
    if (!this.document) {
      this.document = new DataAwsIamPolicyDocument(this.owner, "policy_document", {});
      withAddress(this.document, `${terraformName}_policy_document`);
      const policy = new SqsQueuePolicy(this.owner, "policy", {
        queueUrl: queue.queueUrl,
        policy: this.document.json,
      });
      withAddress(policy, `${terraformName}_policy`);
    }
    this.document.putStatement([
      {
        sid: "AllowEventRulesToSend",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        actions: ["sqs:SendMessage"],
        resources: [queue.queueArn],
        condition: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [...this.ruleArns] }],
      },
    ]);
  }
}
