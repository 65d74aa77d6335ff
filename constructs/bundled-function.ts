import { Construct } from "constructs";
import { TerraformAsset, AssetType } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LambdaAlias } from "@cdktf/provider-aws/lib/lambda-alias";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { bundle, DEFAULT_RUNTIME, type Bundle, type BundlingOptions } from "../tooling/bundle";
import { FailureQueue } from "./failure-queue";
import { lambdaAssumeRolePolicy, toDocumentStatements, type PolicyStatement } from "./core/iam";
import { metric, type Metric, type MetricOptions } from "./core/metrics";
import { tfName } from "./core/naming";
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
export class BundledFunction extends Construct {
  readonly function: LambdaFunction;
  readonly alias: LambdaAlias;
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

  private readonly baseName: string;
  private readonly statements: PolicyStatement[] = [];
  private readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    this.baseName = tfName(id);
    const runtime = props.runtime ?? DEFAULT_RUNTIME;
    this.aliasName = props.aliasName ?? "live";
    this.environment = { ...(props.environment ?? {}) };
    if (props.sourceMap) {
      // The map in the zip is only read when Node is told to; keep whatever else the caller set.
      const options = this.environment.NODE_OPTIONS;
      if (!options?.split(/\s+/).includes("--enable-source-maps")) {
        this.environment.NODE_OPTIONS = options ? `${options} --enable-source-maps` : "--enable-source-maps";
      }
    }

    this.bundle = bundle({
      entry: props.entry,
      runtime,
      minify: props.minify,
      sourceMap: props.sourceMap,
      externalModules: props.externalModules,
    });
    const asset = new TerraformAsset(this, "asset", { path: this.bundle.zipPath, type: AssetType.FILE });

    this.logGroup = new CloudwatchLogGroup(this, "log_group", {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays ?? 14,
    });
    this.logGroup.overrideLogicalId(`${this.baseName}_log_group`);

    this.policyDocument = new DataAwsIamPolicyDocument(this, "policy_document", {});
    this.policyDocument.overrideLogicalId(`${this.baseName}_policy_document`);
    this.addToPolicy({
      sid: "WriteOwnLogs",
      actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
      resources: [`${this.logGroup.arn}:*`],
    });
    // X-Ray has no resource-level permissions: these two actions only accept "*".
    this.addToPolicy({
      sid: "WriteTraces",
      actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
      resources: ["*"],
    });

    const policy = new IamPolicy(this, "policy", {
      name: props.functionName,
      description: `Least-privilege policy of ${props.functionName}`,
      policy: this.policyDocument.json,
    });
    policy.overrideLogicalId(`${this.baseName}_policy`);

    this.role = new IamRole(this, "role", {
      name: props.functionName,
      assumeRolePolicy: lambdaAssumeRolePolicy(this).json,
    });
    this.role.overrideLogicalId(`${this.baseName}_role`);

    const attachment = new IamRolePolicyAttachment(this, "policy_attachment", {
      role: this.role.name,
      policyArn: policy.arn,
    });
    attachment.overrideLogicalId(`${this.baseName}_policy_attachment`);

    this.function = new LambdaFunction(this, "function", {
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
      dependsOn: [attachment, this.logGroup],
    });
    this.function.overrideLogicalId(this.baseName);

    this.alias = new LambdaAlias(this, "alias", {
      name: this.aliasName,
      description: `The version of ${props.functionName} that callers invoke`,
      functionName: this.function.functionName,
      functionVersion: this.function.version,
    });
    this.alias.overrideLogicalId(`${this.baseName}_${tfName(this.aliasName)}`);

    this.functionName = this.function.functionName;
    this.functionArn = this.function.arn;
    this.aliasArn = this.alias.arn;
    this.aliasInvokeArn = this.alias.invokeArn;
    this.roleArn = this.role.arn;
    this.logGroupName = this.logGroup.name;
    this.logGroupArn = this.logGroup.arn;

    if (props.asyncInvoke) {
      const options = props.asyncInvoke;
      this.failureQueue =
        options.onFailure ??
        new FailureQueue(this, `${this.baseName}_failures`, { queueName: `${props.functionName}-failures` });
      this.grantQueueSend(this.failureQueue);
      this.eventInvokeConfig = new LambdaFunctionEventInvokeConfig(this, "async_invoke", {
        functionName: this.function.functionName,
        qualifier: this.alias.name,
        maximumRetryAttempts: options.maximumRetryAttempts ?? 2,
        maximumEventAgeInSeconds: options.maximumEventAgeSeconds ?? 3600,
        destinationConfig: { onFailure: { destination: this.failureQueue.queueArn } },
        // Lambda checks that the role may send to the destination when the configuration is saved.
        dependsOn: [attachment],
      });
      this.eventInvokeConfig.overrideLogicalId(`${this.baseName}_async_invoke`);
    }
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

  /** The Terraform name this function's resources derive theirs from (`get_movie_lambda`). */
  get terraformName(): string {
    return this.baseName;
  }

  /** Adds one statement to the function's policy. Prefer the typed grants below. */
  addToPolicy(statement: PolicyStatement): void {
    this.statements.push(statement);
    this.policyDocument.putStatement(toDocumentStatements(this.statements));
  }

  /** Sets an environment variable; refuses to silently change one that is already set. */
  addEnvironment(name: string, value: string): void {
    const current = this.environment[name];
    if (current !== undefined && current !== value) {
      throw new Error(`${this.baseName}: environment variable ${name} is already set to another value`);
    }
    this.environment[name] = value;
    this.function.putEnvironment({ variables: { ...this.environment } });
  }

  /**
   * Lets the function use a table: sets `envVar` to the table's name and allows exactly `actions` on
   * exactly that table's ARN, so the policy and the code cannot drift apart.
   */
  grantTable(table: Table, envVar: string, actions: readonly DynamoDbAction[]): void {
    if (actions.length === 0) throw new Error(`${this.baseName}: grantTable needs at least one action`);
    this.addEnvironment(envVar, table.tableName);
    this.addToPolicy({ actions: [...actions].sort(), resources: [table.tableArn] });
  }

  /** Lets the function read the objects of a bucket (s3:GetObject on its objects only). */
  grantBucketRead(bucket: ReadableBucket, envVar: string): void {
    this.addEnvironment(envVar, bucket.bucketName);
    this.addToPolicy({ actions: ["s3:GetObject"], resources: [`${bucket.bucketArn}/*`] });
  }

  /** Lets the function send messages to exactly `queue` (sqs:SendMessage on its ARN). */
  grantQueueSend(queue: SendableQueue): void {
    this.addToPolicy({ actions: ["sqs:SendMessage"], resources: [queue.queueArn] });
  }

  /**
   * Allows a service principal to invoke the `live` alias, from `sourceArn` only.
   * The permission's address is `aws_lambda_permission.<id>`.
   */
  grantInvoke(id: string, grant: { principal: string; sourceArn: string; sourceAccount?: string }) {
    const permission = new LambdaPermission(this, `permission_${id}`, {
      statementId: tfName(id).replace(/(^|_)([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase()),
      action: "lambda:InvokeFunction",
      functionName: this.function.functionName,
      qualifier: this.alias.name,
      principal: grant.principal,
      sourceArn: grant.sourceArn,
      ...(grant.sourceAccount ? { sourceAccount: grant.sourceAccount } : {}),
    });
    permission.overrideLogicalId(tfName(id));
    return permission;
  }
}
