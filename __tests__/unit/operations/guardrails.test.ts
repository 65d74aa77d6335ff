import { Construct } from "constructs";
import { AnnotationMetadataEntryType, Testing, TerraformStack } from "cdktf";
import { ApiGatewayMethodSettings } from "@cdktf/provider-aws/lib/api-gateway-method-settings";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { CatalogStack } from "../../../stacks/catalog-stack";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { BundledFunction } from "../../../constructs/bundled-function";
import { formatReport, Guardrails, type GuardrailsReport } from "../../../operations/guardrails";
import { jsonencode } from "../../../constructs/core/jsonencode";
import { IngestionBucket } from "../../../constructs/ingestion-bucket";
import { loadConfig } from "../../../stacks/config";
import { MoviesStack } from "../../../stacks/movies-stack";
import { NotificationsStack } from "../../../stacks/notifications-stack";
import { ServiceStack } from "../../../stacks/service-stack";

const TAGS = { project: "p", environment: "e", service: "s", "managed-by": "cdktf" };

/** A bare stack with a tagged provider, the guardrails applied, and what `build` adds. */
function fixture(build: (stack: TerraformStack) => void, tags: Record<string, string> = TAGS) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "fixture");
  new AwsProvider(stack, "aws", { region: "eu-central-1", defaultTags: [{ tags }] });
  const guardrails = Guardrails.applyTo(stack);
  build(stack);
  const check = (): GuardrailsReport => {
    Testing.synth(stack);
    return guardrails.check();
  };
  return { app, stack, guardrails, check };
}

/** A function with everything the rules ask for, so a test can take one thing away. */
function goodFunction(
  stack: Construct,
  overrides: Partial<ConstructorParameters<typeof LambdaFunction>[2]> = {},
) {
  new CloudwatchLogGroup(stack, "fn_logs", { name: "/aws/lambda/fn", retentionInDays: 7 });
  return new LambdaFunction(stack, "fn", {
    functionName: "fn",
    role: "arn:aws:iam::123456789012:role/fn",
    tracingConfig: { mode: "Active" },
    ...overrides,
  });
}

describe("each rule fires on a bad fixture", () => {
  it("iam-wildcard-action and iam-wildcard-resource, in documents and literal policies", () => {
    const { check } = fixture((stack) => {
      new DataAwsIamPolicyDocument(stack, "admin", { statement: [{ actions: ["s3:*"], resources: ["*"] }] });
      new DataAwsIamPolicyDocument(stack, "xray", {
        statement: [{ actions: ["xray:PutTraceSegments"], resources: ["*"] }],
      });
      new DataAwsIamPolicyDocument(stack, "deny", {
        statement: [{ effect: "Deny", actions: ["*"], resources: ["*"] }],
      });
      new IamPolicy(stack, "literal", {
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
        }),
      });
    });
    expect(check().violations).toEqual([
      { address: "aws_iam_policy.literal", rule: "iam-wildcard-action", problem: 'allows action "*"' },
      {
        address: "aws_iam_policy.literal",
        rule: "iam-wildcard-resource",
        problem: 'allows * on resource "*"',
      },
      {
        address: "data.aws_iam_policy_document.admin",
        rule: "iam-wildcard-action",
        problem: 'allows action "s3:*"',
      },
      {
        address: "data.aws_iam_policy_document.admin",
        rule: "iam-wildcard-resource",
        problem: 'allows s3:* on resource "*"',
      },
    ]);
  });

  it("iam-wildcard-action and iam-wildcard-resource in a policy written with jsonencode", () => {
    const { check } = fixture((stack) => {
      const bucket = new S3Bucket(stack, "b", { bucket: "b" });
      new IamPolicy(stack, "encoded", {
        policy: jsonencode({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${bucket.arn}/*`] },
            { Effect: "Allow", Action: ["sqs:*"], Resource: "*" },
          ],
        }),
      });
    });
    expect(check().violations.filter((v) => v.address === "aws_iam_policy.encoded")).toEqual([
      { address: "aws_iam_policy.encoded", rule: "iam-wildcard-action", problem: 'allows action "sqs:*"' },
      {
        address: "aws_iam_policy.encoded",
        rule: "iam-wildcard-resource",
        problem: 'allows sqs:* on resource "*"',
      },
    ]);
  });

  it("s3-public-access-block, s3-encryption, s3-versioning, s3-tls-only", () => {
    const { check } = fixture((stack) => {
      new S3Bucket(stack, "bare", { bucket: "bare" });
      const half = new S3Bucket(stack, "half", { bucket: "half" });
      new S3BucketPublicAccessBlock(stack, "half_pab", { bucket: half.id, blockPublicAcls: true });
      new S3BucketServerSideEncryptionConfigurationA(stack, "half_sse", {
        bucket: half.id,
        rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
      });
      new S3BucketPolicy(stack, "half_policy", {
        bucket: half.id,
        policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "x" }] }),
      });
    });
    expect(check().violations).toEqual([
      { address: "aws_s3_bucket.bare", rule: "s3-encryption", problem: "has no default encryption" },
      {
        address: "aws_s3_bucket.bare",
        rule: "s3-public-access-block",
        problem: "has no full public access block",
      },
      { address: "aws_s3_bucket.bare", rule: "s3-tls-only", problem: "accepts requests without TLS" },
      { address: "aws_s3_bucket.bare", rule: "s3-versioning", problem: "is not versioned" },
      {
        address: "aws_s3_bucket.half",
        rule: "s3-public-access-block",
        problem: "has no full public access block",
      },
      { address: "aws_s3_bucket.half", rule: "s3-tls-only", problem: "accepts requests without TLS" },
      { address: "aws_s3_bucket.half", rule: "s3-versioning", problem: "is not versioned" },
    ]);
  });

  it("s3-tls-only is met by a bucket policy written with jsonencode", () => {
    const { check } = fixture((stack) => {
      const bucket = new S3Bucket(stack, "tls", { bucket: "tls" });
      new S3BucketPolicy(stack, "tls_policy", {
        bucket: bucket.id,
        policy: jsonencode({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [bucket.arn, `${bucket.arn}/*`],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      });
    });
    expect(check().violations.map((v) => v.rule)).toEqual([
      "s3-encryption",
      "s3-public-access-block",
      "s3-versioning",
    ]);
  });

  it("dynamodb-encryption and dynamodb-pitr", () => {
    const { check } = fixture((stack) => {
      new DynamodbTable(stack, "plain", {
        name: "plain",
        hashKey: "id",
        attribute: [{ name: "id", type: "S" }],
        billingMode: "PAY_PER_REQUEST",
        pointInTimeRecovery: { enabled: false },
      });
    });
    expect(check().violations).toEqual([
      {
        address: "aws_dynamodb_table.plain",
        rule: "dynamodb-encryption",
        problem: "has no server-side encryption",
      },
      {
        address: "aws_dynamodb_table.plain",
        rule: "dynamodb-pitr",
        problem: "has no point-in-time recovery",
      },
    ]);
  });

  it("lambda-log-group and lambda-tracing", () => {
    const { check } = fixture((stack) => {
      new LambdaFunction(stack, "naked", { functionName: "naked", role: "arn:aws:iam::123456789012:role/x" });
      new CloudwatchLogGroup(stack, "forever_logs", { name: "/aws/lambda/forever" });
      new LambdaFunction(stack, "forever", {
        functionName: "forever",
        role: "arn:aws:iam::123456789012:role/x",
        tracingConfig: { mode: "PassThrough" },
      });
    });
    expect(check().violations).toEqual([
      {
        address: "aws_lambda_function.forever",
        rule: "lambda-log-group",
        problem: "log group aws_cloudwatch_log_group.forever_logs keeps logs forever",
      },
      {
        address: "aws_lambda_function.forever",
        rule: "lambda-tracing",
        problem: "has no active X-Ray tracing",
      },
      {
        address: "aws_lambda_function.naked",
        rule: "lambda-log-group",
        problem: "has no declared log group /aws/lambda/naked",
      },
      {
        address: "aws_lambda_function.naked",
        rule: "lambda-tracing",
        problem: "has no active X-Ray tracing",
      },
    ]);
  });

  it("lambda-async-failure: an S3-invoked qualifier with no on-failure destination", () => {
    const { check } = fixture((stack) => {
      const fn = goodFunction(stack);
      new LambdaPermission(stack, "from_s3", {
        action: "lambda:InvokeFunction",
        functionName: fn.functionName,
        qualifier: "live",
        principal: "s3.amazonaws.com",
      });
      // A destination on another qualifier does not cover "live".
      new LambdaFunctionEventInvokeConfig(stack, "latest_only", {
        functionName: fn.functionName,
        destinationConfig: { onFailure: { destination: "arn:aws:sqs:eu-central-1:123456789012:q" } },
      });
      new LambdaPermission(stack, "from_api", {
        action: "lambda:InvokeFunction",
        functionName: fn.functionName,
        principal: "apigateway.amazonaws.com",
      });
    });
    expect(check().violations).toEqual([
      {
        address: "aws_lambda_function.fn",
        rule: "lambda-async-failure",
        problem: "is invoked asynchronously (qualifier live) with no failure destination",
      },
    ]);
  });

  it("lambda-async-failure is satisfied by a dead-letter queue", () => {
    const { check } = fixture((stack) => {
      const fn = goodFunction(stack, {
        deadLetterConfig: { targetArn: "arn:aws:sqs:eu-central-1:123456789012:dlq" },
      });
      new LambdaPermission(stack, "from_sns", {
        action: "lambda:InvokeFunction",
        functionName: fn.functionName,
        principal: "sns.amazonaws.com",
      });
    });
    expect(check().violations).toEqual([]);
  });

  it("lambda-sqs-source: a queue read without a redrive policy, a mapping without partial batch responses", () => {
    const { check } = fixture((stack) => {
      const fn = goodFunction(stack);
      const queue = new SqsQueue(stack, "q", { name: "q" });
      new LambdaEventSourceMapping(stack, "q_source", { eventSourceArn: queue.arn, functionName: fn.arn });
      const bounded = new SqsQueue(stack, "bounded", {
        name: "bounded",
        redrivePolicy: jsonencode({
          deadLetterTargetArn: "arn:aws:sqs:eu-central-1:123456789012:dlq",
          maxReceiveCount: 3,
        }),
      });
      new LambdaEventSourceMapping(stack, "bounded_source", {
        eventSourceArn: bounded.arn,
        functionName: fn.arn,
        functionResponseTypes: ["ReportBatchItemFailures"],
      });
    });
    expect(check().violations).toEqual([
      {
        address: "aws_lambda_event_source_mapping.q_source",
        rule: "lambda-sqs-source",
        problem: "retries the whole batch when one record fails",
      },
      {
        address: "aws_sqs_queue.q",
        rule: "lambda-sqs-source",
        problem: "is read by aws_lambda_event_source_mapping.q_source and has no redrive policy",
      },
    ]);
  });

  it("api-throttling and api-access-logs", () => {
    const { check } = fixture((stack) => {
      const api = new ApiGatewayRestApi(stack, "api", { name: "api" });
      new ApiGatewayStage(stack, "stage", { restApiId: api.id, deploymentId: "d", stageName: "v1" });
      const unlimited = new ApiGatewayStage(stack, "unlimited", {
        restApiId: api.id,
        deploymentId: "d",
        stageName: "v2",
        accessLogSettings: {
          destinationArn: "arn:aws:logs:eu-central-1:123456789012:log-group:x",
          format: "$context.requestId",
        },
      });
      new ApiGatewayMethodSettings(stack, "unlimited_settings", {
        restApiId: api.id,
        stageName: unlimited.stageName,
        methodPath: "*/*",
        settings: { throttlingRateLimit: -1, throttlingBurstLimit: -1 },
      });
    });
    expect(check().violations).toEqual([
      { address: "aws_api_gateway_stage.stage", rule: "api-access-logs", problem: "writes no access logs" },
      {
        address: "aws_api_gateway_stage.stage",
        rule: "api-throttling",
        problem: "has no stage-wide method throttling",
      },
      {
        address: "aws_api_gateway_stage.unlimited",
        rule: "api-throttling",
        problem: "has no stage-wide method throttling",
      },
    ]);
  });

  it("default-tags: taggable resources only, and a resource's own tags count", () => {
    const { check } = fixture(
      (stack) => {
        new ApiGatewayRestApi(stack, "untagged", { name: "untagged" });
        new ApiGatewayRestApi(stack, "tagged", {
          name: "tagged",
          tags: { service: "s", "managed-by": "cdktf" },
        });
        new DataAwsIamPolicyDocument(stack, "not_a_resource", {
          statement: [{ actions: ["s3:GetObject"], resources: ["x"] }],
        });
      },
      { project: "p", environment: "e" },
    );
    expect(check().violations).toEqual([
      {
        address: "aws_api_gateway_rest_api.untagged",
        rule: "default-tags",
        problem: "lacks tags service, managed-by",
      },
    ]);
  });
});

describe("container services (ECS, HTTP APIs)", () => {
  it("ecs-log-group, ecs-container-insights, ecs-public-ip, and the HTTP API stage's throttling and access logs", () => {
    const { check } = fixture((stack) => {
      const kept = new CloudwatchLogGroup(stack, "kept", { name: "/ecs/kept", retentionInDays: 7 });
      const forever = new CloudwatchLogGroup(stack, "forever", { name: "/ecs/forever" });
      const container = (name: string, group?: string) => ({
        name,
        image: "x",
        ...(group ? { logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": group } } } : {}),
      });
      new EcsTaskDefinition(stack, "task", {
        family: "task",
        containerDefinitions: jsonencode([
          container("good", kept.name),
          container("silent"),
          container("hoarder", forever.name),
        ]),
      });
      new EcsCluster(stack, "cluster", { name: "cluster" });
      new EcsCluster(stack, "watched", {
        name: "watched",
        setting: [{ name: "containerInsights", value: "enhanced" }],
      });
      new EcsService(stack, "public", {
        name: "public",
        networkConfiguration: { subnets: ["subnet-1"], assignPublicIp: true },
      });
      new Apigatewayv2Stage(stack, "stage", { apiId: "a", name: "$default" });
    });
    expect(check().violations).toEqual([
      { address: "aws_apigatewayv2_stage.stage", rule: "api-access-logs", problem: "writes no access logs" },
      {
        address: "aws_apigatewayv2_stage.stage",
        rule: "api-throttling",
        problem: "has no default route throttling",
      },
      {
        address: "aws_ecs_cluster.cluster",
        rule: "ecs-container-insights",
        problem: "has Container Insights off",
      },
      {
        address: "aws_ecs_service.public",
        rule: "ecs-public-ip",
        problem: "gives its tasks public IP addresses",
      },
      {
        address: "aws_ecs_task_definition.task",
        rule: "ecs-log-group",
        problem: "container silent logs to no declared log group",
      },
      {
        address: "aws_ecs_task_definition.task",
        rule: "ecs-log-group",
        problem: "log group aws_cloudwatch_log_group.forever keeps logs forever",
      },
    ]);
  });
});

describe("failing synth", () => {
  it("fails app.synth() with one message listing address, rule and fix of each violation", () => {
    const { app } = fixture((stack) => {
      new DynamodbTable(stack, "plain", {
        name: "plain",
        hashKey: "id",
        attribute: [{ name: "id", type: "S" }],
      });
    });
    expect(() => app.synth()).toThrow(
      [
        "[fixture] Guardrails: 2 violations",
        "  - aws_dynamodb_table.plain [dynamodb-encryption] has no server-side encryption. Fix: set server_side_encryption { enabled = true } (Table does).",
        "  - aws_dynamodb_table.plain [dynamodb-pitr] has no point-in-time recovery. Fix: set point_in_time_recovery { enabled = true } (Table does).",
        '  To set a rule aside for one resource: Guardrails.waive(resource, "<rule>", "<reason>").',
      ].join("\n"),
    );
  });

  it("fails a ServiceStack built from our constructs when an S3-triggered function has no failure path", () => {
    class Careless extends ServiceStack {
      constructor(scope: Construct, id: string) {
        super(scope, id, { config: loadConfig("dev", {}), service: "careless" });
        const fn = new BundledFunction(this, "worker_lambda", {
          entry: "lambdas/upload-infos/index.ts",
          functionName: "worker-dev",
        });
        const bucket = new IngestionBucket(this, "drop_bucket", {
          name: "drop",
          environment: "dev",
        });
        bucket.notifyOnObjectCreated(fn);
      }
    }
    const stack = new Careless(Testing.app(), "careless-dev");
    expect(() => Testing.synth(stack, true)).toThrow(
      "  - aws_lambda_function.worker_lambda [lambda-async-failure] is invoked asynchronously " +
        "(qualifier ${aws_lambda_alias.worker_lambda_live.name}) with no failure destination. Fix: give the " +
        "asynchronously invoked function an on-failure destination for the invoked qualifier (BundledFunction's " +
        "asyncInvoke option) or a dead_letter_config.",
    );
  });
});

describe("waivers", () => {
  it("set one rule aside for one resource, and report the reason", () => {
    let bucket: S3Bucket | undefined;
    const { stack, check } = fixture((s) => {
      bucket = new S3Bucket(s, "scratch", { bucket: "scratch" });
      Guardrails.waive(bucket, "s3-versioning", "scratch data, rebuilt nightly");
    });
    const report = check();
    expect(report.waived).toEqual([
      {
        address: "aws_s3_bucket.scratch",
        rule: "s3-versioning",
        problem: "is not versioned",
        reason: "scratch data, rebuilt nightly",
      },
    ]);
    expect(report.violations.map((v) => v.rule)).toEqual([
      "s3-encryption",
      "s3-public-access-block",
      "s3-tls-only",
    ]);
    expect(formatReport(report.violations, report.waived)).toContain(
      "  Waived (1):\n  - aws_s3_bucket.scratch [s3-versioning] waived: scratch data, rebuilt nightly",
    );
    expect(() => Testing.synth(stack, true)).toThrow("Waived (1)");
    expect(bucket?.node.metadata).toContainEqual(
      expect.objectContaining({
        type: AnnotationMetadataEntryType.INFO,
        data: "guardrail s3-versioning waived: scratch data, rebuilt nightly",
      }),
    );
  });

  it("apply to everything below the construct they are set on", () => {
    let table: DynamodbTable | undefined;
    const { check } = fixture((stack) => {
      const group = new Construct(stack, "legacy");
      table = new DynamodbTable(group, "old", {
        name: "old",
        hashKey: "id",
        attribute: [{ name: "id", type: "S" }],
        serverSideEncryption: { enabled: true },
      });
      Guardrails.waive(group, "dynamodb-pitr", "imported table, restored from the nightly export");
    });
    expect(check()).toEqual({
      violations: [],
      waived: [
        {
          address: `aws_dynamodb_table.${table?.friendlyUniqueId}`,
          rule: "dynamodb-pitr",
          problem: "has no point-in-time recovery",
          reason: "imported table, restored from the nightly export",
        },
      ],
    });
  });

  it("need a reason and a known rule", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    expect(() => Guardrails.waive(stack, "s3-versioning", " ")).toThrow(
      'Waiving "s3-versioning" on s needs a reason',
    );
    // @ts-expect-error an unknown rule is a type error too
    expect(() => Guardrails.waive(stack, "s3-anything", "x")).toThrow('Unknown guardrail rule "s3-anything"');
  });
});

describe("the real stacks", () => {
  it("notifications-dev passes: its queue has a DLQ, its mapping reports batch item failures", () => {
    const stack = new NotificationsStack(Testing.app(), "notifications-dev", {
      config: loadConfig("dev", {}),
    });
    const guardrails = Guardrails.applyTo(stack);
    expect(() => Testing.synth(stack, true)).not.toThrow();
    expect(guardrails.check().violations).toEqual([]);
  });

  it("movies-dev passes, with one waiver, explained", () => {
    const stack = new MoviesStack(Testing.app(), "movies-dev", { config: loadConfig("dev", {}) });
    const guardrails = Guardrails.applyTo(stack);
    expect(() => Testing.synth(stack, true)).not.toThrow();
    const report = guardrails.check();
    expect(report.violations).toEqual([]);
    expect(report.waived).toEqual([
      {
        address: "data.aws_iam_policy_document.alerts_key_policy_document",
        rule: "iam-wildcard-action",
        problem: 'allows action "kms:*"',
        reason:
          "KMS key policy: the account root keeps kms:* (AWS's default key policy) so IAM decides and the key can never become unmanageable",
      },
    ]);
  });
});

describe("the catalog stacks", () => {
  it.each(["dev", "staging"])("catalog-%s passes with only the alerts key's waiver", (environment) => {
    const stack = new CatalogStack(Testing.app(), `catalog-${environment}`, {
      config: loadConfig(environment, {}),
    });
    const guardrails = Guardrails.applyTo(stack);
    Testing.synth(stack);
    const report = guardrails.check();
    expect(report.violations).toEqual([]);
    expect(report.waived.map((w) => w.address)).toEqual([
      "data.aws_iam_policy_document.alerts_key_policy_document",
    ]);
  });
});
