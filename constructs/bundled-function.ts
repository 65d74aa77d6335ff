import { Construct } from "constructs";
import { TerraformAsset, AssetType } from "cdktf";
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { LambdaAlias } from "@cdktf/provider-aws/lib/lambda-alias";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { LambdaFunction, type LambdaFunctionConfig } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { bundle, DEFAULT_RUNTIME, type Bundle, type BundlingOptions } from "../tooling/bundle";
import { FailureQueue } from "./failure-queue";
import { lambdaAssumeRolePolicy, type PolicyStatement } from "./core/iam";
import { metric, type Metric, type MetricOptions } from "./core/metrics";
import { derivedName, logGroupName, tfName } from "./core/naming";
import { ResourceConstruct, withAddress } from "./core/resource-construct";
import { ServiceRole } from "./service-role";
import type { Table } from "./table";

/** The DynamoDB actions a function may be granted on a table: named one by one, never `dynamodb:*`. */
export type DynamoDbAction =
  | "dynamodb:GetItem"
  | "dynamodb:BatchGetItem"
  | "dynamodb:Query"
  | "dynamodb:PutItem"
  | "dynamodb:UpdateItem"
  | "dynamodb:DeleteItem"
  | "dynamodb:BatchWriteItem"
  | "dynamodb:ConditionCheckItem";

/** Something a function can read objects from. */
export interface ReadableBucket {
  readonly bucketName: string;
  readonly bucketArn: string;
}

/** Something a function can send messages to. */
export interface SendableQueue {
  readonly queueArn: string;
}

/** Something a function can publish messages to: an SNS topic encrypted with its own KMS key. */
export interface PublishableTopic {
  readonly topicArn: string;
  /** The key the topic encrypts with: publishing needs to use it. */
  readonly keyArn: string;
}

/** A queue a function can consume through an event source mapping. */
export interface ConsumableQueue {
  readonly queueArn: string;
  /** How long a received message stays invisible; must exceed the function's timeout. */
  readonly visibilityTimeoutSeconds: number;
}

/** How an SQS event source mapping feeds the function. */
export interface SqsEventSourceOptions {
  /**
   * Messages per invocation (1 to 10 without a batching window).
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * Concurrent invocations the mapping may use (2 to 1000); it stops polling at that many instead of
   * being throttled (which would count receives, and push messages toward the DLQ).
   * @default Lambda's: as many as the function's concurrency allows
   */
  readonly maximumConcurrency?: number;
}

/** How asynchronous invocations (S3, SNS, EventBridge) of the `live` alias are retried, and where failures go. */
export interface AsyncInvokeOptions {
  /**
   * Retries after the first failed attempt.
   * @default 2 (Lambda's maximum)
   */
  readonly maximumRetryAttempts?: 0 | 1 | 2;
  /**
   * How long Lambda keeps an event it could not run yet (throttling, retries), 60 to 21600 seconds.
   * @default 3600 (one hour)
   */
  readonly maximumEventAgeSeconds?: number;
  /**
   * Where an event goes once retries are exhausted or it is too old.
   * @default a new `FailureQueue`, `aws_sqs_queue.<id>_failures` named `<functionName>-failures`
   */
  readonly onFailure?: FailureQueue;
}

/** A state machine a function can start executions of. */
export interface StartableStateMachine {
  readonly stateMachineArn: string;
}

/** Who may invoke the function's alias (`addPermission`). */
export interface LambdaInvokePermission {
  /** The service principal (`s3.amazonaws.com`). */
  readonly principal: string;
  /** Only from this resource. */
  readonly sourceArn: string;
  /**
   * Only from this account (for S3, whose bucket ARNs carry no account).
   * @default any account
   */
  readonly sourceAccount?: string;
}

/** The function's environment: the caller's, and the flag that makes Node read a bundled source map. */
function environmentOf(props: BundledFunctionProps): Record<string, string> {
  const environment = { ...(props.environment ?? {}) };
  if (props.sourceMap) {
    // The map in the zip is only read when Node is told to; keep whatever else the caller set.
    const options = environment.NODE_OPTIONS;
    if (!options?.split(/\s+/).includes("--enable-source-maps")) {
      environment.NODE_OPTIONS = options ? `${options} --enable-source-maps` : "--enable-source-maps";
    }
  }
  return environment;
}

export interface BundledFunctionProps extends BundlingOptions {
  /** The handler's entry file, relative to the project root (`lambdas/get-movie/index.ts`). */
  readonly entry: string;
  /** Physical function name (`get-movie-dev`); also names its role, policy and log group. */
  readonly functionName: string;
  readonly description?: string;
  /**
   * The exported handler, as `<file>.<export>` inside the bundle.
   * @default "index.handler"
   */
  readonly handler?: string;
  /**
   * @default "nodejs22.x"
   */
  readonly runtime?: string;
  /**
   * @default "arm64" (Graviton: cheaper per ms, and our bundles are pure JavaScript)
   */
  readonly architecture?: "arm64" | "x86_64";
  /**
   * @default 256 MB
   */
  readonly memorySize?: number;
  /**
   * @default 10 seconds
   */
  readonly timeout?: number;
  /**
   * Environment variables, merged with the ones grants add (a grant never overwrites a caller's value).
   * @default {}
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Retention of the function's log group.
   * @default 14 days
   */
  readonly logRetentionDays?: number;
  /**
   * Name of the alias that callers invoke, moved to the newly published version on every deploy.
   * @default "live"
   */
  readonly aliasName?: string;
  /**
   * Reserved concurrent executions.
   * @default unreserved
   */
  readonly reservedConcurrency?: number;
  /**
   * The function is invoked asynchronously: configure retries and an on-failure destination queue on
   * its `live` alias, and allow the role to send to exactly that queue.
   * @default no asynchronous invoke configuration (Lambda's defaults: 2 retries, 6 hours, then dropped)
   */
  readonly asyncInvoke?: AsyncInvokeOptions;
}

/**
 * A Lambda function bundled from TypeScript with esbuild, with everything it owns: its log group (so
 * retention is ours and logs permissions can name it), its role and least-privilege policy, a published
 * version and a `live` alias. Addresses derive from the construct id: `get_movie_lambda` gives
 * `aws_lambda_function.get_movie_lambda`, `aws_iam_role.get_movie_lambda_role`,
 * `aws_iam_policy.get_movie_lambda_policy`, and so on.
 *
 * Callers invoke the alias: API integrations, permissions and bucket notifications all use
 * {@link aliasArn} / {@link aliasName}, so what is allowed is what is called.
 */
export class BundledFunction extends ResourceConstruct {
  /** The `aws_lambda_function`. */
  readonly resource: LambdaFunction;
  readonly alias: LambdaAlias;
  /** Its role, least-privilege policy and log group. */
  readonly serviceRole: ServiceRole;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly policyDocument: DataAwsIamPolicyDocument;
  readonly bundle: Bundle;

  readonly functionName: string;
  readonly functionArn: string;
  readonly aliasName: string;
  readonly aliasArn: string;
  /** The alias's invoke ARN, for API Gateway integrations. */
  readonly aliasInvokeArn: string;
  readonly roleArn: string;
  readonly logGroupName: string;
  readonly logGroupArn: string;
  /** Where failed asynchronous events go; set when `asyncInvoke` is. */
  readonly failureQueue?: FailureQueue;
  /** The asynchronous invoke configuration of the alias; set when `asyncInvoke` is. */
  readonly eventInvokeConfig?: LambdaFunctionEventInvokeConfig;

  /** The SQS event source mappings that invoke the alias (`addSqsEventSource`). */
  readonly eventSources: LambdaEventSourceMapping[] = [];

  private readonly environment: Record<string, string>;
  private readonly timeoutSeconds: number;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    const runtime = props.runtime ?? DEFAULT_RUNTIME;
    this.aliasName = props.aliasName ?? "live";
    this.environment = environmentOf(props);
    this.timeoutSeconds = props.timeout ?? 10;
    this.bundle = bundle({
      entry: props.entry,
      runtime,
      minify: props.minify,
      sourceMap: props.sourceMap,
      externalModules: props.externalModules,
    });

    this.serviceRole = new ServiceRole(this, "service_role", {
      terraformName: this.terraformName,
      name: props.functionName,
      policyDescription: `Least-privilege policy of ${props.functionName}`,
      assumeRolePolicy: lambdaAssumeRolePolicy(this).json,
      logGroupName: logGroupName.lambda(props.functionName),
      logRetentionDays: props.logRetentionDays,
    });
    this.role = this.serviceRole.role;
    this.logGroup = this.serviceRole.logGroup;
    this.policyDocument = this.serviceRole.policyDocument;
    // X-Ray has no resource-level permissions: these two actions only accept "*".
    this.addToPolicy({
      sid: "WriteTraces",
      actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
      resources: ["*"],
    });

    this.resource = this.address(new LambdaFunction(this, "function", this.functionConfig(props, runtime)));
    this.alias = this.address(
      new LambdaAlias(this, "alias", {
        name: this.aliasName,
        description: `The version of ${props.functionName} that callers invoke`,
        functionName: this.resource.functionName,
        functionVersion: this.resource.version,
      }),
      tfName(this.aliasName),
    );

    this.functionName = this.resource.functionName;
    this.functionArn = this.resource.arn;
    this.aliasArn = this.alias.arn;
    this.aliasInvokeArn = this.alias.invokeArn;
    this.roleArn = this.role.arn;
    this.logGroupName = this.logGroup.name;
    this.logGroupArn = this.logGroup.arn;

    if (props.asyncInvoke) {
      this.failureQueue =
        props.asyncInvoke.onFailure ??
        new FailureQueue(this, `${this.terraformName}_failures`, {
          queueName: derivedName(props.functionName, "failures"),
        });
      this.eventInvokeConfig = this.configureAsyncInvoke(props.asyncInvoke, this.failureQueue);
    }
  }

  private functionConfig(props: BundledFunctionProps, runtime: string): LambdaFunctionConfig {
    const asset = new TerraformAsset(this, "asset", { path: this.bundle.zipPath, type: AssetType.FILE });
    return {
      functionName: props.functionName,
      description: props.description,
      role: this.role.arn,
      runtime,
      architectures: [props.architecture ?? "arm64"],
      handler: props.handler ?? "index.handler",
      filename: asset.path,
      sourceCodeHash: this.bundle.sha256,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? 10,
      publish: true,
      tracingConfig: { mode: "Active" },
      environment: { variables: this.environment },
      ...(props.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrency }
        : {}),
      // Lambda checks at creation that the role may write traces, and the first invocation needs its
      // log group: both must exist before the function does.
      dependsOn: [this.serviceRole.attachment, this.logGroup],
    };
  }

  /** Retries and the on-failure destination of the alias's asynchronous invocations. */
  private configureAsyncInvoke(options: AsyncInvokeOptions, onFailure: FailureQueue) {
    this.grantQueueSend(onFailure);
    return this.address(
      new LambdaFunctionEventInvokeConfig(this, "async_invoke", {
        functionName: this.resource.functionName,
        qualifier: this.alias.name,
        maximumRetryAttempts: options.maximumRetryAttempts ?? 2,
        maximumEventAgeInSeconds: options.maximumEventAgeSeconds ?? 3600,
        destinationConfig: { onFailure: { destination: onFailure.queueArn } },
        // Lambda checks that the role may send to the destination when the configuration is saved.
        dependsOn: [this.serviceRole.attachment],
      }),
      "async_invoke",
    );
  }

  /** A metric of this function (`AWS/Lambda`, by `FunctionName`). */
  metric(metricName: string, options?: MetricOptions): Metric {
    return metric("AWS/Lambda", metricName, { FunctionName: this.functionName }, options);
  }

  metricErrors(options?: MetricOptions): Metric {
    return this.metric("Errors", options);
  }

  metricThrottles(options?: MetricOptions): Metric {
    return this.metric("Throttles", options);
  }

  metricInvocations(options?: MetricOptions): Metric {
    return this.metric("Invocations", options);
  }

  metricDuration(options?: MetricOptions): Metric {
    return this.metric("Duration", options);
  }

  metricConcurrentExecutions(options?: MetricOptions): Metric {
    return this.metric("ConcurrentExecutions", options);
  }

  /** True when the function is invoked asynchronously (`asyncInvoke`): it has the async metrics below. */
  get invokedAsynchronously(): boolean {
    return this.eventInvokeConfig !== undefined;
  }

  /**
   * Asynchronous events whose on-failure destination could not be written (a deleted queue, a policy
   * that refuses Lambda): the event is lost, with no record anywhere.
   */
  metricDestinationDeliveryFailures(options?: MetricOptions): Metric {
    return this.metric("DestinationDeliveryFailures", options);
  }

  /**
   * Asynchronous events Lambda dropped without running them to an end (too old, retries used up with no
   * destination, throttled past the event's age): lost unless a destination caught them.
   */
  metricAsyncEventsDropped(options?: MetricOptions): Metric {
    return this.metric("AsyncEventsDropped", options);
  }

  /** Adds one statement to the function's policy. Prefer the typed grants below. */
  addToPolicy(statement: PolicyStatement): void {
    this.serviceRole.addToPolicy(statement);
  }

  /** Sets an environment variable; refuses to silently change one that is already set. */
  addEnvironment(name: string, value: string): void {
    const current = this.environment[name];
    if (current !== undefined && current !== value) {
      throw new Error(`${this.terraformName}: environment variable ${name} is already set to another value`);
    }
    this.environment[name] = value;
    this.resource.putEnvironment({ variables: { ...this.environment } });
  }

  /**
   * Lets the function use a table: sets `envVar` to the table's name and allows exactly `actions` on
   * exactly that table's ARN, so the policy and the code cannot drift apart.
   */
  grantTable(table: Table, envVar: string, actions: readonly DynamoDbAction[]): void {
    if (actions.length === 0) throw new Error(`${this.terraformName}: grantTable needs at least one action`);
    this.addEnvironment(envVar, table.tableName);
    this.addToPolicy({ actions: [...actions].sort(), resources: [table.tableArn] });
  }

  /**
   * Lets the function read the objects of a bucket, any version of them (s3:GetObject and
   * s3:GetObjectVersion on its objects only): S3 refuses a GetObject or HeadObject naming a VersionId
   * without the second, and functions read the exact version an event names.
   */
  grantBucketRead(bucket: ReadableBucket, envVar: string): void {
    this.addEnvironment(envVar, bucket.bucketName);
    this.addToPolicy({
      actions: ["s3:GetObject", "s3:GetObjectVersion"],
      resources: [`${bucket.bucketArn}/*`],
    });
  }

  /**
   * Lets the function publish to `topic`: sets `envVar` to the topic's ARN and allows sns:Publish on
   * exactly that topic, and kms:GenerateDataKey and kms:Decrypt on exactly its key (SNS encrypts each
   * message with it on the publisher's behalf, so a publisher without them is refused).
   */
  grantTopicPublish(topic: PublishableTopic, envVar: string): void {
    this.addEnvironment(envVar, topic.topicArn);
    this.addToPolicy({ actions: ["sns:Publish"], resources: [topic.topicArn] });
    this.addToPolicy({ actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [topic.keyArn] });
  }

  /**
   * Feeds the `live` alias from `queue`: `aws_lambda_event_source_mapping.<id>`, with partial batch
   * responses (`function_response_types = ["ReportBatchItemFailures"]`: the handler names the records that
   * failed, and only those are received again), and the role allowed exactly what the mapping does on
   * that queue (sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes). The queue's visibility
   * timeout must exceed the function's timeout, or a message would be received again while still being
   * processed (Lambda refuses such a mapping; this fails at synth instead).
   */
  addSqsEventSource(
    id: string,
    queue: ConsumableQueue,
    options: SqsEventSourceOptions = {},
  ): LambdaEventSourceMapping {
    if (queue.visibilityTimeoutSeconds < this.timeoutSeconds) {
      throw new Error(
        `${this.terraformName}: the queue's visibility timeout (${queue.visibilityTimeoutSeconds} s) is shorter ` +
          `than the function's timeout (${this.timeoutSeconds} s)`,
      );
    }
    this.addToPolicy({
      actions: ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
      resources: [queue.queueArn],
    });
    const mapping = withAddress(
      new LambdaEventSourceMapping(this, `event_source_${tfName(id)}`, {
        eventSourceArn: queue.queueArn,
        functionName: this.alias.arn,
        batchSize: options.batchSize ?? 10,
        functionResponseTypes: ["ReportBatchItemFailures"],
        ...(options.maximumConcurrency !== undefined
          ? { scalingConfig: { maximumConcurrency: options.maximumConcurrency } }
          : {}),
        // Lambda checks at creation that the role may read the queue.
        dependsOn: [this.serviceRole.attachment],
      }),
      tfName(id),
    );
    this.eventSources.push(mapping);
    return mapping;
  }

  /**
   * True when the function answers SQS batches with partial responses (`addSqsEventSource`): a record it
   * fails is reported, not thrown, so Lambda's `Errors` stays 0 and only its ERROR log lines show it.
   */
  get reportsBatchItemFailures(): boolean {
    return this.eventSources.length > 0;
  }

  /** Lets the function send messages to exactly `queue` (sqs:SendMessage on its ARN). */
  grantQueueSend(queue: SendableQueue): void {
    this.addToPolicy({ actions: ["sqs:SendMessage"], resources: [queue.queueArn] });
  }

  /**
   * Lets the function start executions of exactly `machine` (states:StartExecution on its ARN) and sets
   * `envVar` to that ARN.
   */
  grantStartExecution(machine: StartableStateMachine, envVar: string): void {
    this.addEnvironment(envVar, machine.stateMachineArn);
    this.addToPolicy({ actions: ["states:StartExecution"], resources: [machine.stateMachineArn] });
  }

  /**
   * Allows a service principal to invoke the `live` alias, from `sourceArn` only.
   * The permission's address is `aws_lambda_permission.<id>`.
   */
  addPermission(id: string, permission: LambdaInvokePermission): LambdaPermission {
    return withAddress(
      new LambdaPermission(this, `permission_${id}`, {
        statementId: tfName(id).replace(/(^|_)([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase()),
        action: "lambda:InvokeFunction",
        functionName: this.resource.functionName,
        qualifier: this.alias.name,
        principal: permission.principal,
        sourceArn: permission.sourceArn,
        ...(permission.sourceAccount ? { sourceAccount: permission.sourceAccount } : {}),
      }),
      tfName(id),
    );
  }
}
