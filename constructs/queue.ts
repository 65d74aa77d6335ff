import { Construct } from "constructs";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueueRedriveAllowPolicy } from "@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy";
import type { EventRuleTarget } from "./core/rule-target";
import { EventRuleQueuePolicy } from "./event-rule-queue-policy";
import { metric, type Metric, type MetricOptions } from "./core/metrics";
import { derivedName, physicalName } from "./core/naming";
import { ResourceConstruct } from "./core/resource-construct";
import { jsonencode } from "./core/jsonencode";

export interface QueueProps {
  /** Logical queue name (`order-created`); the physical name adds the environment. */
  readonly name: string;
  readonly environment: string;
  /**
   * Logical name of the dead-letter queue.
   * @default `<name>-dlq`
   */
  readonly deadLetterQueueName?: string;
  /**
   * Receives after which a message moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * How long a received message stays invisible to other consumers, in seconds.
   * @default 30
   */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * How long a message waits for a consumer before SQS deletes it, in seconds (60 to 1209600).
   * @default 1209600 (14 days, SQS's maximum; SQS's own default, 4 days, is short for a queue whose
   * consumer may be down over a long weekend)
   */
  readonly retentionSeconds?: number;
  /**
   * Age of the oldest waiting message above which the stack's monitoring alarms, in seconds: for a queue
   * with a consumer, the delay past which it is behind.
   * @default half of `retentionSeconds` (messages start to be deleted unread in the other half)
   */
  readonly maxMessageAgeSeconds?: number;
}

/** SQS's longest retention, 14 days: dead-letter queues keep messages this long, so nothing expires before someone looks. */
const MAX_RETENTION_SECONDS = 14 * 24 * 60 * 60;

/**
 * An SQS queue for a downstream consumer, with SSE (SQS managed keys, which EventBridge can write to
 * without a key policy), and a dead-letter queue that only this queue may redrive into. As a rule target
 * ({@link EventRuleTarget}) its queue policy admits `sqs:SendMessage` from the rules it is told about,
 * by `aws:SourceArn`, and nothing else.
 */
export class Queue extends ResourceConstruct implements EventRuleTarget {
  readonly resource: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly queueName: string;
  readonly queueArn: string;
  readonly queueUrl: string;
  readonly deadLetterQueueArn: string;
  /** How long a message waits for a consumer before SQS deletes it, in seconds. */
  readonly retentionSeconds: number;
  /** The age of the oldest message that is too old (see `maxMessageAgeSeconds`), in seconds. */
  readonly maxMessageAgeSeconds: number;
  /** Receives of one message before it moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** How long a received message stays invisible to other consumers, in seconds. */
  readonly visibilityTimeoutSeconds: number;

  private readonly policy: EventRuleQueuePolicy;

  constructor(scope: Construct, id: string, props: QueueProps) {
    super(scope, id);

    this.deadLetterQueue = new SqsQueue(this, "dlq", {
      name: physicalName(props.deadLetterQueueName ?? derivedName(props.name, "dlq"), props.environment),
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: MAX_RETENTION_SECONDS,
    });
    this.address(this.deadLetterQueue, "dlq");

    this.retentionSeconds = props.retentionSeconds ?? MAX_RETENTION_SECONDS;
    if (
      !Number.isInteger(this.retentionSeconds) ||
      this.retentionSeconds < 60 ||
      this.retentionSeconds > MAX_RETENTION_SECONDS
    ) {
      throw new Error(
        `${this.terraformName}: retentionSeconds must be an integer from 60 to ${MAX_RETENTION_SECONDS}`,
      );
    }
    this.maxMessageAgeSeconds = props.maxMessageAgeSeconds ?? Math.floor(this.retentionSeconds / 2);
    this.maxReceiveCount = props.maxReceiveCount ?? 5;
    this.visibilityTimeoutSeconds = props.visibilityTimeoutSeconds ?? 30;
    this.resource = new SqsQueue(this, "queue", {
      name: physicalName(props.name, props.environment),
      sqsManagedSseEnabled: true,
      visibilityTimeoutSeconds: this.visibilityTimeoutSeconds,
      messageRetentionSeconds: this.retentionSeconds,
      redrivePolicy: jsonencode({
        deadLetterTargetArn: this.deadLetterQueue.arn,
        maxReceiveCount: this.maxReceiveCount,
      }),
    });
    this.address(this.resource);

    const redriveAllow = new SqsQueueRedriveAllowPolicy(this, "dlq_redrive_allow_policy", {
      queueUrl: this.deadLetterQueue.url,
      redriveAllowPolicy: jsonencode({ redrivePermission: "byQueue", sourceQueueArns: [this.resource.arn] }),
    });
    this.address(redriveAllow, "dlq_redrive_allow_policy");

    this.queueName = this.resource.name;
    this.queueArn = this.resource.arn;
    this.queueUrl = this.resource.url;
    this.deadLetterQueueArn = this.deadLetterQueue.arn;
    this.policy = new EventRuleQueuePolicy(this, "event_rule_policy", {
      queue: this,
      terraformName: this.terraformName,
    });
  }

  /** Messages waiting in the queue (`AWS/SQS`, by `QueueName`). */
  metricApproximateNumberOfMessagesVisible(options?: MetricOptions): Metric {
    return metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: this.queueName }, options);
  }

  /**
   * The age of the oldest message waiting, in seconds (`AWS/SQS`, by `QueueName`): what grows when the
   * consumer is down, slow, or does not exist yet; at {@link retentionSeconds} messages are deleted unread.
   */
  metricApproximateAgeOfOldestMessage(options?: MetricOptions): Metric {
    return metric("AWS/SQS", "ApproximateAgeOfOldestMessage", { QueueName: this.queueName }, options);
  }

  /** Messages waiting in the dead-letter queue: each is one a consumer gave up on, so someone must look. */
  metricDeadLetterMessagesVisible(options?: MetricOptions): Metric {
    return metric(
      "AWS/SQS",
      "ApproximateNumberOfMessagesVisible",
      { QueueName: this.deadLetterQueue.name },
      options,
    );
  }

  get targetArn(): string {
    return this.queueArn;
  }

  /** Lets the EventBridge rule `ruleArn` send to this queue (queue policy, by `aws:SourceArn`). */
  allowEventRule(ruleArn: string): void {
    this.policy.allow(ruleArn);
  }
}
