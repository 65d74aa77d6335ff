import { Construct } from "constructs";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import type { EventRuleTarget } from "./core/rule-target";
import { EventRuleQueuePolicy } from "./event-rule-queue-policy";
import { metric, type Metric, type MetricOptions } from "./core/metrics";
import { ResourceConstruct } from "./core/resource-construct";

export interface FailureQueueProps {
  /** Physical queue name (`upload-infos-dev-failures`). */
  readonly queueName: string;
  /**
   * How long a failed event waits for someone to replay it.
   * @default 14 days (SQS's maximum)
   */
  readonly retentionSeconds?: number;
}

/**
 * An SQS queue where failed events wait to be inspected and replayed: encrypted (SSE-SQS), kept as long
 * as SQS allows, and meant to stay empty: the stack's monitoring alarms as soon as it holds a message
 * ({@link metricApproximateNumberOfMessagesVisible}), so nothing fails silently. Lambda's on-failure destinations and dead-letter queues, pipes' and EventBridge rule targets'
 * dead-letter queues use it. Its address is `aws_sqs_queue.<id>`. Told about an EventBridge rule
 * (`allowEventRule`), its queue policy admits `sqs:SendMessage` from that rule only, by `aws:SourceArn`.
 */
export class FailureQueue extends ResourceConstruct implements EventRuleTarget {
  readonly resource: SqsQueue;
  readonly queueName: string;
  readonly queueArn: string;
  readonly queueUrl: string;

  private readonly policy: EventRuleQueuePolicy;

  constructor(scope: Construct, id: string, props: FailureQueueProps) {
    super(scope, id);
    this.resource = new SqsQueue(this, "queue", {
      name: props.queueName,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: props.retentionSeconds ?? 1_209_600,
    });
    this.address(this.resource);
    this.queueName = this.resource.name;
    this.queueArn = this.resource.arn;
    this.queueUrl = this.resource.url;
    this.policy = new EventRuleQueuePolicy(this, "event_rule_policy", {
      queue: this,
      terraformName: this.terraformName,
    });
  }

  /** Messages waiting in the queue (`AWS/SQS`, by `QueueName`): each one is a failure to look at. */
  metricApproximateNumberOfMessagesVisible(options?: MetricOptions): Metric {
    return metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: this.queueName }, options);
  }

  get targetArn(): string {
    return this.queueArn;
  }

  /** Lets the EventBridge rule `ruleArn` send to this queue (queue policy, by `aws:SourceArn`). */
  allowEventRule(ruleArn: string): void {
    this.policy.allow(ruleArn);
  }
}
