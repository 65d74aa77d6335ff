import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import type { Construct } from "constructs";
import { callerIdentity, LOG_DELIVERY_WILDCARD_ACTIONS } from "./core/iam";
import { jsonencode } from "./core/jsonencode";
import { metric, type Metric, type MetricOptions } from "./core/metrics";
import { logGroupName } from "./core/naming";
import { ResourceConstruct } from "./core/resource-construct";
import { ServiceRole } from "./service-role";

/** The bucket the uploads are read from and the results written to. */
export interface IngestionSourceBucket {
  readonly bucketName: string;
  readonly bucketArn: string;
}

/** The function each batch goes to. */
export interface BatchFunction {
  readonly aliasArn: string;
}

export interface IngestionStateMachineProps {
  /** Physical name of the state machine, its role and policy (`movie-infos-ingestion-dev`). */
  readonly name: string;
  /** The region it runs in: its own ARN, which its role names, is built from it. */
  readonly region: string;
  readonly bucket: IngestionSourceBucket;
  /** Invoked once per batch with `{ BatchInput: { bucket, key, versionId }, Items: [{ index, row }] }`. */
  readonly batchFunction: BatchFunction;
  /** The CSV's columns, in order: the reader's headers (`GIVEN`), so a header line is a record like any other. */
  readonly columns: readonly string[];
  /** Rows per batch (`MaxItemsPerBatch`). */
  readonly batchSize: number;
  /** Batches in flight at once (`MaxConcurrency`). */
  readonly maxConcurrency: number;
  /** Percentage of failed batches the execution tolerates (`ToleratedFailurePercentage`). */
  readonly toleratedFailurePercentage: number;
  /**
   * Where the ResultWriter puts each map run's results (`<prefix>/<map run id>/manifest.json`,
   * `SUCCEEDED_0.json`, `FAILED_0.json`...), in the bucket.
   * @default "fan-out-results"
   */
  readonly resultPrefix?: string;
  /**
   * Days its log group keeps the execution log.
   * @default 14
   */
  readonly logRetentionDays?: number;
}

/** Step Functions caps one batch's input at 256 KiB. */
export const MAX_BATCH_INPUT_BYTES = 256 * 1024;

/** The name of the map state, which the local run and the tests read. */
export const MAP_STATE = "IngestBatches";

/**
 * Errors after which a batch is tried again: Lambda's own transient failures, and our
 * `DeadlineExceededError` (DynamoDB kept throttling for the whole invocation). A `BatchEventError` (the
 * event is not what this state machine sends) or a crash in the code is not retried.
 */
export const RETRIED_BATCH_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
  "DeadlineExceededError",
] as const;

/**
 * The fan-out path of ingestion: a Step Functions state machine (Standard) whose one state is a Distributed
 * Map over the uploaded object. Its input is `{ bucket, key, versionId }`; the map reads that version with
 * the CSV item reader (headers given: the columns), turns each record into `{ index, row }`, groups
 * `batchSize` of them with the object as `BatchInput`, and invokes the batch function's alias for each
 * batch, `maxConcurrency` at a time, in child executions (Standard: each batch runs once). A batch is retried
 * on {@link RETRIED_BATCH_ERRORS}; up to `toleratedFailurePercentage` of them may fail; the ResultWriter puts
 * every batch's outcome (rows written, rejected rows with their lines, failed batches with their items)
 * under `resultPrefix` in the bucket.
 *
 * Its role may read the bucket's objects, invoke the batch function's alias, write under the result prefix,
 * run its own child executions and deliver its log, nothing else; only Step Functions of this account may
 * assume it. Executions log at ERROR level, without execution data (rows are data), to
 * `/aws/vendedlogs/states/<name>`.
 *
 * Addresses: `aws_sfn_state_machine.<id>`, `aws_iam_role.<id>_role`, `aws_iam_policy.<id>_policy`,
 * `aws_iam_role_policy_attachment.<id>_policy_attachment`, `data.aws_iam_policy_document.<id>_policy_document`
 * and `<id>_assume_role_policy`, `aws_cloudwatch_log_group.<id>_log_group`.
 */
export class IngestionStateMachine extends ResourceConstruct {
  readonly resource: SfnStateMachine;
  readonly serviceRole: ServiceRole;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly stateMachineName: string;
  readonly stateMachineArn: string;
  /** The prefix of the results in the bucket, without a trailing slash. */
  readonly resultPrefix: string;

  constructor(scope: Construct, id: string, props: IngestionStateMachineProps) {
    super(scope, id);
    this.resultPrefix = (props.resultPrefix ?? "fan-out-results").replace(/\/+$/, "");
    const accountId = callerIdentity(this).accountId;
    // Built from the name, not read from the resource: the role's policy names it, and the state machine
    // needs the role first.
    const ownArn = `arn:aws:states:${props.region}:${accountId}:stateMachine:${props.name}`;
    const executionsArn = `arn:aws:states:${props.region}:${accountId}:execution:${props.name}/*`;
    this.serviceRole = new ServiceRole(this, "service_role", {
      terraformName: this.terraformName,
      name: props.name,
      policyDescription: `Least-privilege policy of the ${props.name} state machine`,
      assumeRolePolicy: this.assumeRolePolicy(accountId).json,
      logGroupName: logGroupName.stateMachine(props.name),
      logRetentionDays: props.logRetentionDays,
      writesOwnLogs: false,
      statements: ingestionStatements({
        bucketArn: props.bucket.bucketArn,
        resultPrefix: this.resultPrefix,
        batchFunctionArn: props.batchFunction.aliasArn,
        stateMachineArn: ownArn,
        executionsArn,
      }),
    });
    this.role = this.serviceRole.role;
    this.logGroup = this.serviceRole.logGroup;
    this.resource = this.address(
      new SfnStateMachine(this, "state_machine", {
        name: props.name,
        type: "STANDARD",
        roleArn: this.role.arn,
        definition: jsonencode(ingestionDefinition({ ...props, resultPrefix: this.resultPrefix })),
        loggingConfiguration: {
          level: "ERROR",
          includeExecutionData: false,
          logDestination: `${this.logGroup.arn}:*`,
        },
        // Step Functions checks the role's permissions (log delivery) when the state machine is created.
        dependsOn: [this.serviceRole.attachment],
      }),
    );
    this.stateMachineName = this.resource.name;
    this.stateMachineArn = this.resource.arn;
  }

  /** Only Step Functions of this account may assume the role (`aws:SourceAccount`). */
  private assumeRolePolicy(accountId: string): DataAwsIamPolicyDocument {
    return this.address(
      new DataAwsIamPolicyDocument(this, "assume_role_policy", {
        statement: [
          {
            effect: "Allow",
            principals: [{ type: "Service", identifiers: ["states.amazonaws.com"] }],
            actions: ["sts:AssumeRole"],
            condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] }],
          },
        ],
      }),
      "assume_role_policy",
    );
  }

  /** A metric of this state machine (`AWS/States`, by `StateMachineArn`). */
  metric(metricName: string, options?: MetricOptions): Metric {
    return metric("AWS/States", metricName, { StateMachineArn: this.stateMachineArn }, options);
  }

  /** Executions that ended failed: more batches failed than tolerated, or the object could not be read. */
  metricExecutionsFailed(options?: MetricOptions): Metric {
    return this.metric("ExecutionsFailed", options);
  }

  metricExecutionsTimedOut(options?: MetricOptions): Metric {
    return this.metric("ExecutionsTimedOut", options);
  }

  metricExecutionsAborted(options?: MetricOptions): Metric {
    return this.metric("ExecutionsAborted", options);
  }

  metricExecutionsStarted(options?: MetricOptions): Metric {
    return this.metric("ExecutionsStarted", options);
  }

  metricExecutionsSucceeded(options?: MetricOptions): Metric {
    return this.metric("ExecutionsSucceeded", options);
  }
}

/** The role's statements, each exactly what the definition needs. */
function ingestionStatements(arns: {
  bucketArn: string;
  resultPrefix: string;
  batchFunctionArn: string;
  stateMachineArn: string;
  executionsArn: string;
}) {
  return [
    {
      sid: "ReadUploadedObjects",
      // The item reader reads the exact version the upload event named.
      actions: ["s3:GetObject", "s3:GetObjectVersion"],
      resources: [`${arns.bucketArn}/*`],
    },
    { sid: "InvokeBatchFunction", actions: ["lambda:InvokeFunction"], resources: [arns.batchFunctionArn] },
    {
      sid: "WriteResults",
      // The ResultWriter uploads its files in parts.
      actions: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"],
      resources: [`${arns.bucketArn}/${arns.resultPrefix}/*`],
    },
    // A Distributed Map runs each batch as a child execution of this state machine.
    { sid: "StartChildExecutions", actions: ["states:StartExecution"], resources: [arns.stateMachineArn] },
    {
      sid: "ManageChildExecutions",
      actions: ["states:DescribeExecution", "states:StopExecution"],
      resources: [arns.executionsArn],
    },
    {
      sid: "DeliverLogs",
      // CloudWatch Logs' delivery API has no resource-level permissions: these actions only accept "*".
      actions: [...LOG_DELIVERY_WILDCARD_ACTIONS],
      resources: ["*"],
    },
  ];
}

/**
 * The Amazon States Language definition (JSONPath). Exported for the local run, which executes the same
 * definition's map with the local functions.
 */
export function ingestionDefinition(props: {
  readonly bucket: IngestionSourceBucket;
  readonly batchFunction: BatchFunction;
  readonly columns: readonly string[];
  readonly batchSize: number;
  readonly maxConcurrency: number;
  readonly toleratedFailurePercentage: number;
  readonly resultPrefix: string;
}) {
  const object = { "bucket.$": "$.bucket", "key.$": "$.key", "versionId.$": "$.versionId" };
  return {
    Comment: "Ingests a large movie infos CSV: batches of rows to the batch function, results to S3",
    StartAt: MAP_STATE,
    States: {
      [MAP_STATE]: {
        Type: "Map",
        ItemReader: {
          Resource: "arn:aws:states:::s3:getObject",
          ReaderConfig: { InputType: "CSV", CSVHeaderLocation: "GIVEN", CSVHeaders: [...props.columns] },
          Parameters: { "Bucket.$": "$.bucket", "Key.$": "$.key", "VersionId.$": "$.versionId" },
        },
        // The record's index in the file is its line - 1: each batch knows the lines of its rows.
        ItemSelector: { "index.$": "$$.Map.Item.Index", "row.$": "$$.Map.Item.Value" },
        ItemBatcher: {
          MaxItemsPerBatch: props.batchSize,
          MaxInputBytesPerBatch: MAX_BATCH_INPUT_BYTES,
          BatchInput: object,
        },
        MaxConcurrency: props.maxConcurrency,
        ToleratedFailurePercentage: props.toleratedFailurePercentage,
        ItemProcessor: {
          ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
          StartAt: "IngestBatch",
          States: {
            IngestBatch: {
              Type: "Task",
              Resource: "arn:aws:states:::lambda:invoke",
              Parameters: { FunctionName: props.batchFunction.aliasArn, "Payload.$": "$" },
              OutputPath: "$.Payload",
              Retry: [
                {
                  ErrorEquals: [...RETRIED_BATCH_ERRORS],
                  IntervalSeconds: 2,
                  MaxAttempts: 3,
                  BackoffRate: 2,
                  JitterStrategy: "FULL",
                },
              ],
              End: true,
            },
          },
        },
        ResultWriter: {
          Resource: "arn:aws:states:::s3:putObject",
          Parameters: { Bucket: props.bucket.bucketName, Prefix: props.resultPrefix },
        },
        End: true,
      },
    },
  };
}
