import { Construct } from "constructs";
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { PipesPipe, type PipesPipeConfig } from "@cdktf/provider-aws/lib/pipes-pipe";
import type { EventBus } from "./event-bus";
import { FailureQueue } from "./failure-queue";
import { metric, type Metric, type MetricOptions } from "./core/metrics";
import { callerIdentity } from "./core/iam";
import { derivedName, logGroupName } from "./core/naming";
import { ResourceConstruct } from "./core/resource-construct";
import { ServiceRole } from "./service-role";
import { jsonencode } from "./core/jsonencode";
import type { Table } from "./table";

export interface TableStreamPipeProps {
  /** Physical pipe name (`order-created-dev`); also names its role and policy. */
  readonly name: string;
  readonly description?: string;
  /** The table whose stream feeds the pipe; it must have a stream (`streamViewType`). */
  readonly table: Table;
  /** The bus the pipe publishes to. */
  readonly eventBus: EventBus;
  /** `detail-type` of the published events (`OrderCreated`). */
  readonly detailType: string;
  /** `source` of the published events (`orders.service`). */
  readonly eventSource: string;
  /**
   * EventBridge patterns a stream record must match to be published (any of them).
   * @default every record is published
   */
  readonly filterPatterns?: readonly object[];
  /**
   * Input template rendering each record into the event's `detail`.
   * @default the stream record itself is the detail
   */
  readonly inputTemplate?: string;
  /**
   * Records per PutEvents call.
   * @default 1 (a failed delivery is retried for that record alone)
   */
  readonly batchSize?: number;
  /**
   * Where a new pipe starts reading the stream.
   * @default "LATEST"
   */
  readonly startingPosition?: "LATEST" | "TRIM_HORIZON";
  /**
   * Retries of a batch that fails before it is sent to the dead-letter queue (0 to 10000).
   * @default 10
   */
  readonly maximumRetryAttempts?: number;
  /**
   * Age after which a record is no longer retried but dead-lettered, in seconds (60 to 604800, or -1 for
   * no limit).
   * @default 3600 (1 hour)
   */
  readonly maximumRecordAgeSeconds?: number;
  /**
   * Days the pipe's error log is kept.
   * @default 14
   */
  readonly logRetentionDays?: number;
  /**
   * Seconds the apply that creates the stream (or the pipe's role) waits before it creates the pipe.
   * @default 150 (see {@link DEFAULT_STREAM_SETTLE_SECONDS})
   */
  readonly streamSettleSeconds?: number;
}

/**
 * One hour: the dead-letter message of a stream source describes the failed records (shard, sequence
 * numbers) rather than carrying them, and the stream keeps records 24 hours, so a record dead-lettered
 * within the hour can still be read back from the stream for the better part of a day. With -1 a
 * record could be retried until it leaves the stream, and its dead letter would point at nothing.
 */
const DEFAULT_MAXIMUM_RECORD_AGE_SECONDS = 3600;

/**
 * How long a new stream and a new role get before the pipe is created. EventBridge Pipes checks, in the
 * background after CreatePipe, that its role can read the source stream, and ends CREATE_FAILED
 * ("Cannot access stream ... ensure the customer role can perform actions on source stream") when the
 * stream or the role's policy is only seconds old (terraform-provider-aws#40572, aws-cdk#31211); the
 * reports needed more than 90 s. 150 s leaves a margin, and is spent only when the stream is new.
 */
export const DEFAULT_STREAM_SETTLE_SECONDS = 150;

/**
 * An EventBridge Pipe from a table's DynamoDB stream to an event bus: publishing happens after, and only
 * after, the item is stored, with no code and no dual write. Its role may read this table's stream, put
 * events on this bus, dead-letter to its own queue and write its own log, nothing else, and only pipes of
 * this account may assume it.
 *
 * A batch that fails is split in two and retried (`AUTOMATIC_BISECT`) until the failing record is alone,
 * at most `maximumRetryAttempts` times and while the record is younger than `maximumRecordAgeSeconds`;
 * then it goes to the dead-letter queue `aws_sqs_queue.<id>_dlq` (a {@link FailureQueue}, alarmed as
 * soon as it holds a message) and the shard moves on, so one poison record blocks the records behind it
 * for minutes, not 24 hours, and is never dropped silently. Failed executions are logged at ERROR level
 * (without the event payload) to `aws_cloudwatch_log_group.<id>_log_group`; {@link metricExecutionFailed}
 * is what the stack's monitoring alarms on.
 *
 * The first apply waits {@link DEFAULT_STREAM_SETTLE_SECONDS} (150 s) between the stream and the pipe:
 * Pipes refuses a stream, or a role, that is seconds old (see {@link TableStreamPipe.waitForNewStream}).
 *
 * Addresses: `aws_pipes_pipe.<id>`, `aws_iam_role.<id>_role`, `aws_iam_policy.<id>_policy`,
 * `aws_iam_role_policy_attachment.<id>_policy_attachment`, the documents
 * `data.aws_iam_policy_document.<id>_assume_role_policy` / `<id>_policy_document`, and the queue and log
 * group above.
 */
export class TableStreamPipe extends ResourceConstruct {
  /** The `aws_pipes_pipe`. */
  readonly resource: PipesPipe;
  /** Its role, least-privilege policy and log group. */
  readonly serviceRole: ServiceRole;
  readonly role: IamRole;
  readonly pipeArn: string;
  readonly roleArn: string;
  readonly deadLetterQueue: FailureQueue;
  readonly logGroup: CloudwatchLogGroup;
  readonly pipeName: string;

  constructor(scope: Construct, id: string, props: TableStreamPipeProps) {
    super(scope, id);
    const streamArn = props.table.streamArn;
    if (streamArn === undefined) {
      throw new Error(
        `${this.terraformName}: table ${props.table.node.id} has no stream; set its streamViewType`,
      );
    }
    this.deadLetterQueue = new FailureQueue(this, `${this.terraformName}_dlq`, {
      queueName: derivedName(props.name, "pipe-failures"),
    });
    // Pipes (CloudWatch Logs destination) write with the pipe's role: ServiceRole allows its log group.
    this.serviceRole = new ServiceRole(this, "service_role", {
      terraformName: this.terraformName,
      name: props.name,
      policyDescription: `Least-privilege policy of the ${props.name} pipe`,
      assumeRolePolicy: this.assumeRolePolicy().json,
      logGroupName: logGroupName.pipe(props.name),
      logRetentionDays: props.logRetentionDays,
      statements: [
        {
          sid: "ReadTableStream",
          // Not ListStreams: it lists every stream of the account and takes no resource, so granting it
          // on the stream ARN allows nothing; the pipe reads its one stream by ARN and never lists.
          actions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
          resources: [streamArn],
        },
        { sid: "PutEventsOnBus", actions: ["events:PutEvents"], resources: [props.eventBus.busArn] },
        {
          sid: "SendFailedRecordsToDeadLetterQueue",
          actions: ["sqs:SendMessage"],
          resources: [this.deadLetterQueue.queueArn],
        },
      ],
    });
    this.role = this.serviceRole.role;
    this.logGroup = this.serviceRole.logGroup;
    this.roleArn = this.role.arn;
    this.waitForNewStream(props.table, props.streamSettleSeconds ?? DEFAULT_STREAM_SETTLE_SECONDS);
    this.resource = this.address(new PipesPipe(this, "pipe", this.pipeConfig(props, streamArn)));
    this.pipeArn = this.resource.arn;
    this.pipeName = this.resource.name;
  }

  /**
   * Makes the apply that creates the stream wait before it creates the pipe, with only Terraform and the
   * AWS provider: the role's policy attachment, which comes after the table (its policy names the
   * stream) and before the pipe (which depends on it), gets a creation-time `local-exec` that waits
   * `seconds`, in Node (there wherever cdktf runs: no `sleep` on Windows). It is replaced, and so waits
   * again, whenever the stream's ARN changes (a new stream: the pipe is replaced too); later applies
   * do not wait. Should a pipe still end CREATE_FAILED, Terraform taints it, and the next apply replaces it.
   */
  private waitForNewStream(table: Table, seconds: number): void {
    if (!Number.isInteger(seconds) || seconds < 0) {
      throw new Error(
        `${this.terraformName}: streamSettleSeconds must be an integer of at least 0, got ${seconds}`,
      );
    }
    const attachment = this.serviceRole.attachment;
    attachment.lifecycle = {
      replaceTriggeredBy: [
        `${table.resource.terraformResourceType}.${table.resource.friendlyUniqueId}.stream_arn`,
      ],
    };
    if (seconds === 0) return;
    attachment.provisioners = [
      { type: "local-exec", command: `node -e "setTimeout(() => {}, ${seconds * 1000})"` },
    ];
  }

  /** Only EventBridge Pipes of this account may assume the role (`aws:SourceAccount`). */
  private assumeRolePolicy(): DataAwsIamPolicyDocument {
    const accountId = callerIdentity(this).accountId;
    return this.address(
      new DataAwsIamPolicyDocument(this, "assume_role_policy", {
        statement: [
          {
            effect: "Allow",
            principals: [{ type: "Service", identifiers: ["pipes.amazonaws.com"] }],
            actions: ["sts:AssumeRole"],
            condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] }],
          },
        ],
      }),
      "assume_role_policy",
    );
  }

  private pipeConfig(props: TableStreamPipeProps, streamArn: string): PipesPipeConfig {
    const filters = props.filterPatterns ?? [];
    return {
      name: props.name,
      description: props.description,
      roleArn: this.role.arn,
      source: streamArn,
      target: props.eventBus.busArn,
      sourceParameters: {
        dynamodbStreamParameters: {
          startingPosition: props.startingPosition ?? "LATEST",
          batchSize: props.batchSize ?? 1,
          maximumRetryAttempts: props.maximumRetryAttempts ?? 10,
          maximumRecordAgeInSeconds: props.maximumRecordAgeSeconds ?? DEFAULT_MAXIMUM_RECORD_AGE_SECONDS,
          onPartialBatchItemFailure: "AUTOMATIC_BISECT",
          deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        },
        ...(filters.length > 0
          ? { filterCriteria: { filter: filters.map((pattern) => ({ pattern: jsonencode(pattern) })) } }
          : {}),
      },
      targetParameters: {
        ...(props.inputTemplate !== undefined ? { inputTemplate: props.inputTemplate } : {}),
        eventbridgeEventBusParameters: { detailType: props.detailType, source: props.eventSource },
      },
      // ERROR only, and no execution data: the payload is an order (personal data).
      logConfiguration: {
        level: "ERROR",
        cloudwatchLogsLogDestination: { logGroupArn: this.logGroup.arn },
      },
      // The pipe checks its role's permissions when it is created and starts.
      dependsOn: [this.serviceRole.attachment],
    };
  }

  /** A metric of this pipe (`AWS/EventBridge/Pipes`, by `PipeName`). */
  metric(metricName: string, options?: MetricOptions): Metric {
    return metric("AWS/EventBridge/Pipes", metricName, { PipeName: this.pipeName }, options);
  }

  /**
   * Failed executions: the pipe is retrying a batch, which holds up its shard until it succeeds or is
   * dead-lettered.
   */
  metricExecutionFailed(options?: MetricOptions): Metric {
    return this.metric("ExecutionFailed", options);
  }

  /** Executions started (one per batch). */
  metricInvocations(options?: MetricOptions): Metric {
    return this.metric("Invocations", options);
  }

  /** Records the pipe read from the stream (before its filter). */
  metricEventCount(options?: MetricOptions): Metric {
    return this.metric("EventCount", options);
  }
}
