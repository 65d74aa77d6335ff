import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ApiGatewayDeployment } from "@cdktf/provider-aws/lib/api-gateway-deployment";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { ApiGatewayResource } from "@cdktf/provider-aws/lib/api-gateway-resource";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LambdaAlias } from "@cdktf/provider-aws/lib/lambda-alias";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { projectRoot } from "../../../tooling/project-root";
import { nestedBlocks } from "../../../tooling/terraform-json";
import {
  addressList,
  bundledFunction,
  ingestionBucket,
  ingestionStateMachine,
  restApi,
  serviceStack,
  table,
} from "../../helpers/addresses";
import { addresses, stackFile, synthesized, type SynthesizedStack } from "../../helpers/synth";

let synth: SynthesizedStack;
let json: string;

beforeAll(() => {
  synth = synthesized("movies-dev");
  json = synth.json;
});

const LOGS = (fn: string) => ({
  sid: "WriteOwnLogs",
  effect: "Allow",
  actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
  resources: [`\${aws_cloudwatch_log_group.${fn}_log_group.arn}:*`],
});
const TRACES = {
  sid: "WriteTraces",
  effect: "Allow",
  actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
  resources: ["*"],
};

describe("readable, stable Terraform", () => {
  it("uses the workshop's names and snake_case everywhere, with no hash suffixes", () => {
    expect(addresses(synth)).toEqual(
      addressList(
        serviceStack(),
        table("movie_infos_table"),
        table("movie_ratings_table"),
        ingestionBucket("movie_infos_bucket", "upload_movie_infos_lambda", "movies_bucket_notification"),
        bundledFunction("get_movie_lambda", { api: true }),
        bundledFunction("update_movie_rating_lambda", { api: true }),
        bundledFunction("upload_movie_infos_lambda", { failures: true }),
        bundledFunction("upload_movie_infos_batch_lambda"),
        ingestionStateMachine("ingestion_state_machine"),
        restApi("movies_api", {
          resources: ["movies_resource", "movie_resource"],
          routes: ["get_movie_request", "update_movie_rating_request"],
          models: ["update_movie_rating_request"],
        }),
        // Ingestion metrics from the ingesting functions' log lines, and the links the catalog reads
        [
          "aws_cloudwatch_log_metric_filter.upload_movie_infos_lambda_rows_rejected",
          "aws_cloudwatch_log_metric_filter.upload_movie_infos_lambda_rows_written",
          "aws_cloudwatch_log_metric_filter.upload_movie_infos_batch_lambda_batch_rows_rejected",
          "aws_cloudwatch_log_metric_filter.upload_movie_infos_batch_lambda_batch_rows_written",
          "aws_ssm_parameter.movie_infos_table_arn_link",
          "aws_ssm_parameter.movie_infos_table_name_link",
        ],
      ),
    );
    for (const address of addresses(synth)) {
      expect(address.split(".").pop()).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });

  it("names every output in snake_case", () => {
    expect(Object.keys(synth.output).sort()).toEqual([
      "movie_infos_bucket_uri",
      "movie_infos_table_name",
      "movie_ratings_table_name",
      "movies_api_url",
    ]);
  });
});

describe("links for the other services", () => {
  it("publishes movie_infos's name and ARN, which the catalog service reads", () => {
    expect(synth.resource.aws_ssm_parameter).toEqual({
      movie_infos_table_name_link: {
        name: "/movies-cdktf/dev/movies/movie-infos-table-name",
        description: "The movie_infos table's name",
        type: "String",
        value: "${aws_dynamodb_table.movie_infos_table.name}",
      },
      movie_infos_table_arn_link: {
        name: "/movies-cdktf/dev/movies/movie-infos-table-arn",
        description: "The movie_infos table's ARN",
        type: "String",
        value: "${aws_dynamodb_table.movie_infos_table.arn}",
      },
    });
  });
});

describe("1. DynamoDB tables", () => {
  it.each([
    ["movie_infos_table", "movie_infos-dev"],
    ["movie_ratings_table", "movie_ratings-dev"],
  ])("%s is on-demand, encrypted, with point-in-time recovery and hash key movie_id (S)", (address, name) => {
    expect(synth.resource.aws_dynamodb_table?.[address]).toMatchObject({
      name,
      billing_mode: "PAY_PER_REQUEST",
      hash_key: "movie_id",
      attribute: [{ name: "movie_id", type: "S" }],
      server_side_encryption: { enabled: true },
      point_in_time_recovery: { enabled: true },
    });
    expect(synth.resource.aws_dynamodb_table?.[address]).not.toHaveProperty("range_key");
  });

  it("declares exactly two tables", () => {
    expect(Object.keys(synth.resource.aws_dynamodb_table ?? {})).toHaveLength(2);
    expect(json).toHaveResourceWithProperties(DynamodbTable, { name: "movie_infos-dev" });
  });
});

describe("2. movie infos bucket", () => {
  it("is named from the caller's account id, never a hard-coded one", () => {
    expect(synth.data.aws_caller_identity?.current).toBeDefined();
    expect(json).toHaveResourceWithProperties(S3Bucket, {
      bucket: "${data.aws_caller_identity.current.account_id}-movie-infos-dev",
    });
    expect(json).not.toMatch(/\b\d{12}\b/);
  });

  it("has SSE, a full public access block, BucketOwnerEnforced and versioning as separate resources", () => {
    const bucket = "${aws_s3_bucket.movie_infos_bucket.id}";
    expect(json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      bucket,
      rule: [
        // No bucket_key_enabled: S3 Bucket Keys only change anything with SSE-KMS.
        { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
      ],
    });
    expect(json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      bucket,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(json).toHaveResourceWithProperties(S3BucketOwnershipControls, {
      bucket,
      rule: { object_ownership: "BucketOwnerEnforced" },
    });
    expect(json).toHaveResourceWithProperties(S3BucketVersioningA, {
      bucket,
      versioning_configuration: { status: "Enabled" },
    });
  });

  it("refuses requests that are not made over TLS", () => {
    expect(
      synth.data.aws_iam_policy_document?.movie_infos_bucket_tls_only_policy_document?.statement,
    ).toEqual([
      {
        sid: "DenyInsecureTransport",
        effect: "Deny",
        principals: [{ type: "*", identifiers: ["*"] }],
        actions: ["s3:*"],
        resources: ["${aws_s3_bucket.movie_infos_bucket.arn}", "${aws_s3_bucket.movie_infos_bucket.arn}/*"],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
    ]);
    expect(synth.resource.aws_s3_bucket_policy?.movie_infos_bucket_policy).toMatchObject({
      policy: "${data.aws_iam_policy_document.movie_infos_bucket_tls_only_policy_document.json}",
      depends_on: ["aws_s3_bucket_public_access_block.movie_infos_bucket_public_access_block"],
    });
  });
});

describe("data safety per environment", () => {
  const tables = ["movie_infos_table", "movie_ratings_table"];
  const bucketOf = (stack: string) => synthesized(stack).resource.aws_s3_bucket?.movie_infos_bucket;

  it.each(["movies-staging", "movies-prod"])(
    "%s: DynamoDB deletion protection and prevent_destroy on every table",
    (stack) => {
      for (const table of tables) {
        expect(synthesized(stack).resource.aws_dynamodb_table?.[table]).toMatchObject({
          deletion_protection_enabled: true,
          lifecycle: { prevent_destroy: true },
        });
      }
    },
  );

  it("dev: tables without either, so dev can be destroyed and rebuilt", () => {
    for (const table of tables) {
      expect(synth.resource.aws_dynamodb_table?.[table]).toMatchObject({
        deletion_protection_enabled: false,
      });
      expect(synth.resource.aws_dynamodb_table?.[table]).not.toHaveProperty("lifecycle");
    }
  });

  it("dev's bucket is force_destroy (cdktf destroy empties it); staging's and prod's are not", () => {
    expect(bucketOf("movies-dev")).toMatchObject({ force_destroy: true });
    expect(bucketOf("movies-staging")).not.toHaveProperty("force_destroy");
    expect(bucketOf("movies-prod")).not.toHaveProperty("force_destroy");
  });

  it.each([
    ["movies-dev", 7],
    ["movies-staging", 30],
    ["movies-prod", 90],
  ])("%s keeps versions, and deletes noncurrent ones after %i days", (stack, days) => {
    const resources = synthesized(stack).resource;
    expect(resources.aws_s3_bucket_versioning?.movie_infos_bucket_versioning).toMatchObject({
      versioning_configuration: { status: "Enabled" },
    });
    expect(resources.aws_s3_bucket_lifecycle_configuration?.movie_infos_bucket_lifecycle).toEqual({
      bucket: "${aws_s3_bucket.movie_infos_bucket.id}",
      depends_on: ["aws_s3_bucket_versioning.movie_infos_bucket_versioning"],
      rule: [
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: [{}],
          noncurrent_version_expiration: [{ noncurrent_days: days }],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
        },
      ],
    });
  });
});

describe("3. assume-role policy", () => {
  it("is one document, for lambda.amazonaws.com, shared by every function's role", () => {
    expect(json).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }],
        },
      ],
    });
    // The state machine's role has its own (ingestion-fan-out.test.ts).
    for (const [name, role] of Object.entries(synth.resource.aws_iam_role ?? {})) {
      if (name === "ingestion_state_machine_role") continue;
      expect(role.assume_role_policy).toBe("${data.aws_iam_policy_document.iam_assume_role_policy.json}");
    }
  });
});

describe("4. least-privilege policy per function", () => {
  const statements = (fn: string) => synth.data.aws_iam_policy_document?.[`${fn}_policy_document`]?.statement;

  it("get-movie may only batch-read the two tables (its one BatchGetItem)", () => {
    expect(statements("get_movie_lambda")).toEqual([
      LOGS("get_movie_lambda"),
      TRACES,
      {
        effect: "Allow",
        actions: ["dynamodb:BatchGetItem"],
        resources: ["${aws_dynamodb_table.movie_infos_table.arn}"],
      },
      {
        effect: "Allow",
        actions: ["dynamodb:BatchGetItem"],
        resources: ["${aws_dynamodb_table.movie_ratings_table.arn}"],
      },
    ]);
  });

  it("update-rating may only update movie_ratings and condition-check movie_infos", () => {
    expect(statements("update_movie_rating_lambda")).toEqual([
      LOGS("update_movie_rating_lambda"),
      TRACES,
      {
        effect: "Allow",
        actions: ["dynamodb:UpdateItem"],
        resources: ["${aws_dynamodb_table.movie_ratings_table.arn}"],
      },
      {
        effect: "Allow",
        actions: ["dynamodb:ConditionCheckItem"],
        resources: ["${aws_dynamodb_table.movie_infos_table.arn}"],
      },
    ]);
  });

  it("upload-infos may only send to its failure queue, read the bucket's objects and batch-write movie_infos", () => {
    expect(statements("upload_movie_infos_lambda")).toEqual([
      LOGS("upload_movie_infos_lambda"),
      TRACES,
      {
        effect: "Allow",
        actions: ["sqs:SendMessage"],
        resources: ["${aws_sqs_queue.upload_movie_infos_lambda_failures.arn}"],
      },
      {
        effect: "Allow",
        actions: ["s3:GetObject", "s3:GetObjectVersion"],
        resources: ["${aws_s3_bucket.movie_infos_bucket.arn}/*"],
      },
      {
        effect: "Allow",
        actions: ["dynamodb:BatchWriteItem"],
        resources: ["${aws_dynamodb_table.movie_infos_table.arn}"],
      },
      {
        effect: "Allow",
        actions: ["states:StartExecution"],
        resources: ["${aws_sfn_state_machine.ingestion_state_machine.arn}"],
      },
    ]);
  });

  it("upload-infos-batch may only batch-write movie_infos: its rows come in the event", () => {
    expect(statements("upload_movie_infos_batch_lambda")).toEqual([
      LOGS("upload_movie_infos_batch_lambda"),
      TRACES,
      {
        effect: "Allow",
        actions: ["dynamodb:BatchWriteItem"],
        resources: ["${aws_dynamodb_table.movie_infos_table.arn}"],
      },
    ]);
  });

  it("never grants a wildcard action, and '*' resources only for X-Ray and log delivery", () => {
    // The alerts topic's KMS key policy is the one document that is not an identity policy: in a key
    // policy "*" means the key itself, and the account root keeps kms:* (AWS's default key policy). It is
    // pinned statement by statement in constructs/topic.test.ts; every other document is checked here.
    for (const [name, document] of Object.entries(synth.data.aws_iam_policy_document ?? {})) {
      if (name === "alerts_key_policy_document") continue;
      for (const statement of nestedBlocks(document.statement) as {
        sid?: string;
        actions: string[];
        resources?: string[];
        effect: string;
      }[]) {
        if (statement.effect !== "Allow") continue;
        for (const action of statement.actions) expect(action).not.toMatch(/\*/);
        if (statement.resources?.includes("*")) expect([TRACES.sid, "DeliverLogs"]).toContain(statement.sid);
      }
    }
  });
});

describe("5. one role per function, with its policy attached", () => {
  it.each([
    ["get_movie_lambda", "get-movie-dev"],
    ["update_movie_rating_lambda", "update-rating-dev"],
    ["upload_movie_infos_lambda", "upload-infos-dev"],
    ["upload_movie_infos_batch_lambda", "upload-infos-batch-dev"],
  ])("%s", (fn, name) => {
    expect(synth.resource.aws_iam_role?.[`${fn}_role`]).toMatchObject({ name });
    expect(synth.resource.aws_iam_policy?.[`${fn}_policy`]).toMatchObject({
      name,
      policy: `\${data.aws_iam_policy_document.${fn}_policy_document.json}`,
    });
    expect(synth.resource.aws_iam_role_policy_attachment?.[`${fn}_policy_attachment`]).toMatchObject({
      role: `\${aws_iam_role.${fn}_role.name}`,
      policy_arn: `\${aws_iam_policy.${fn}_policy.arn}`,
    });
    expect(json).toHaveResourceWithProperties(IamRole, { name });
    expect(json).toHaveResourceWithProperties(IamPolicy, { name });
    expect(json).toHaveResourceWithProperties(IamRolePolicyAttachment, {
      role: `\${aws_iam_role.${fn}_role.name}`,
    });
  });
});

describe("6. functions from esbuild bundles", () => {
  const functions = [
    [
      "get_movie_lambda",
      "get-movie",
      { MOVIE_INFOS_TABLE: "movie_infos", MOVIE_RATINGS_TABLE: "movie_ratings" },
    ],
    [
      "update_movie_rating_lambda",
      "update-rating",
      { MOVIE_INFOS_TABLE: "movie_infos", MOVIE_RATINGS_TABLE: "movie_ratings" },
    ],
    [
      "upload_movie_infos_lambda",
      "upload-infos",
      { MOVIE_INFOS_TABLE: "movie_infos", MOVIE_INFOS_BUCKET: "bucket" },
    ],
    ["upload_movie_infos_batch_lambda", "upload-infos-batch", { MOVIE_INFOS_TABLE: "movie_infos" }],
  ] as const;
  /** Set from the ingestion config and the state machine, not a table or bucket. */
  const fanOutEnvironment: Record<string, Record<string, string>> = {
    upload_movie_infos_lambda: {
      INGESTION_STATE_MACHINE_ARN: "${aws_sfn_state_machine.ingestion_state_machine.arn}",
      FAN_OUT_THRESHOLD_BYTES: String(16 * 1024 * 1024),
    },
  };

  it.each(functions)("%s runs nodejs22.x on arm64 with active tracing, published", (fn, name, env) => {
    const resource = synth.resource.aws_lambda_function?.[fn];
    expect(resource).toMatchObject({
      function_name: `${name}-dev`,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      tracing_config: { mode: "Active" },
      publish: true,
      role: `\${aws_iam_role.${fn}_role.arn}`,
      depends_on: [
        `aws_iam_role_policy_attachment.${fn}_policy_attachment`,
        `aws_cloudwatch_log_group.${fn}_log_group`,
      ],
    });
    const expected = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [
        k,
        v === "bucket"
          ? "${aws_s3_bucket.movie_infos_bucket.bucket}"
          : `\${aws_dynamodb_table.${v}_table.name}`,
      ]),
    );
    expect((resource?.environment as { variables: unknown }).variables).toEqual({
      ...expected,
      ...fanOutEnvironment[fn],
    });
  });

  it.each(functions)("%s's source_code_hash is the base64 SHA-256 of its zip asset", (fn, name) => {
    const resource = synth.resource.aws_lambda_function?.[fn] as {
      filename: string;
      source_code_hash: string;
    };
    expect(resource.filename).toMatch(new RegExp(`^assets/.+/${name}\\.zip$`));
    // The zip Terraform uploads is the asset copied beside cdk.tf.json; dist/lambdas/ may be rebuilt meanwhile.
    expect(resource.source_code_hash).toBe(
      createHash("sha256")
        .update(readFileSync(stackFile("movies-dev", resource.filename)))
        .digest("base64"),
    );
    expect(existsSync(join(projectRoot, "dist", "lambdas", `${name}.zip`))).toBe(true);
    expect(existsSync(join(projectRoot, "dist", "lambdas", name, "index.js"))).toBe(true);
  });

  it.each(functions)("%s has its own log group with a retention period", (fn, name) => {
    expect(synth.resource.aws_cloudwatch_log_group?.[`${fn}_log_group`]).toEqual(
      expect.objectContaining({ name: `/aws/lambda/${name}-dev`, retention_in_days: 14 }),
    );
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, { name: `/aws/lambda/${name}-dev` });
  });

  it.each(functions)("%s has a live alias on the newly published version", (fn) => {
    expect(synth.resource.aws_lambda_alias?.[`${fn}_live`]).toMatchObject({
      name: "live",
      function_name: `\${aws_lambda_function.${fn}.function_name}`,
      function_version: `\${aws_lambda_function.${fn}.version}`,
    });
    expect(synth.resource.aws_lambda_alias?.[`${fn}_live`]).not.toHaveProperty("lifecycle");
    expect(json).toHaveResourceWithProperties(LambdaAlias, { name: "live" });
  });

  it("declares the workshop's three functions and the fan-out's batch function", () => {
    expect(Object.keys(synth.resource.aws_lambda_function ?? {})).toHaveLength(4);
    expect(json).toHaveResourceWithProperties(LambdaFunction, { function_name: "get-movie-dev" });
  });
});

describe("7. REST API", () => {
  it("is a REGIONAL API named movies_api", () => {
    expect(json).toHaveResourceWithProperties(ApiGatewayRestApi, {
      name: "movies_api-dev",
      endpoint_configuration: { types: ["REGIONAL"] },
    });
  });

  it("has /movies and /movies/{movieId}", () => {
    expect(json).toHaveResourceWithProperties(ApiGatewayResource, {
      parent_id: "${aws_api_gateway_rest_api.movies_api.root_resource_id}",
      path_part: "movies",
    });
    expect(json).toHaveResourceWithProperties(ApiGatewayResource, {
      parent_id: "${aws_api_gateway_resource.movies_resource.id}",
      path_part: "{movieId}",
    });
  });

  it.each([
    ["get_movie_request", "GET", "get_movie_lambda"],
    ["update_movie_rating_request", "PATCH", "update_movie_rating_lambda"],
  ])("%s: %s with a required movieId, proxied to the function's live alias", (route, method, fn) => {
    expect(synth.resource.aws_api_gateway_method?.[`${route}_method`]).toMatchObject({
      rest_api_id: "${aws_api_gateway_rest_api.movies_api.id}",
      resource_id: "${aws_api_gateway_resource.movie_resource.id}",
      http_method: method,
      authorization: "NONE",
      request_parameters: { "method.request.path.movieId": true },
    });
    expect(synth.resource.aws_api_gateway_integration?.[`${route}_integration`]).toMatchObject({
      resource_id: "${aws_api_gateway_resource.movie_resource.id}",
      http_method: `\${aws_api_gateway_method.${route}_method.http_method}`,
      type: "AWS_PROXY",
      integration_http_method: "POST",
      uri: `\${aws_lambda_alias.${fn}_live.invoke_arn}`,
    });
    expect(json).toHaveResourceWithProperties(ApiGatewayMethod, { http_method: method });
    expect(json).toHaveResourceWithProperties(ApiGatewayIntegration, { type: "AWS_PROXY" });
  });

  it("redeploys on any change to the API's resources, methods or integrations", () => {
    const deployment = synth.resource.aws_api_gateway_deployment?.movies_api_deployment as Record<
      string,
      unknown
    >;
    expect(deployment).toMatchObject({
      rest_api_id: "${aws_api_gateway_rest_api.movies_api.id}",
      lifecycle: { create_before_destroy: true },
      depends_on: [
        "aws_api_gateway_method.get_movie_request_method",
        "aws_api_gateway_integration.get_movie_request_integration",
        "aws_api_gateway_method.update_movie_rating_request_method",
        "aws_api_gateway_integration.update_movie_rating_request_integration",
      ],
    });
    expect(deployment).not.toHaveProperty("stage_name");
    const trigger = (deployment.triggers as { redeployment: string }).redeployment;
    expect(trigger).toMatch(/^\$\{sha1\(jsonencode\(\[.*\]\)\)\}$/);
    for (const ref of [
      "aws_api_gateway_resource.movies_resource.id",
      "aws_api_gateway_resource.movie_resource.id",
      "aws_api_gateway_method.get_movie_request_method.id",
      "aws_api_gateway_method.update_movie_rating_request_method.id",
      "aws_api_gateway_integration.get_movie_request_integration.id",
      "aws_api_gateway_integration.get_movie_request_integration.uri",
      "aws_api_gateway_integration.update_movie_rating_request_integration.uri",
    ]) {
      expect(trigger).toContain(ref);
    }
    expect(json).toHaveResourceWithProperties(ApiGatewayDeployment, {
      lifecycle: { create_before_destroy: true },
    });
  });

  it("deploys to a separate stage named from the environment config", () => {
    expect(json).toHaveResourceWithProperties(ApiGatewayStage, {
      rest_api_id: "${aws_api_gateway_rest_api.movies_api.id}",
      deployment_id: "${aws_api_gateway_deployment.movies_api_deployment.id}",
      stage_name: "dev",
      xray_tracing_enabled: true,
    });
  });
});

describe("8. Lambda permissions", () => {
  it.each([
    ["get_movie_request_permission", "get_movie_lambda", "GET"],
    ["update_movie_rating_request_permission", "update_movie_rating_lambda", "PATCH"],
  ])("%s lets API Gateway invoke the alias only for %s's method and path", (address, fn, method) => {
    expect(synth.resource.aws_lambda_permission?.[address]).toMatchObject({
      action: "lambda:InvokeFunction",
      principal: "apigateway.amazonaws.com",
      function_name: `\${aws_lambda_function.${fn}.function_name}`,
      qualifier: `\${aws_lambda_alias.${fn}_live.name}`,
      source_arn: `\${aws_api_gateway_rest_api.movies_api.execution_arn}/*/${method}/movies/*`,
    });
  });

  it("lets S3 invoke upload-infos's alias only from this bucket and account", () => {
    expect(json).toHaveResourceWithProperties(LambdaPermission, {
      action: "lambda:InvokeFunction",
      principal: "s3.amazonaws.com",
      function_name: "${aws_lambda_function.upload_movie_infos_lambda.function_name}",
      qualifier: "${aws_lambda_alias.upload_movie_infos_lambda_live.name}",
      source_arn: "${aws_s3_bucket.movie_infos_bucket.arn}",
      source_account: "${data.aws_caller_identity.current.account_id}",
    });
  });

  it("grants on the same qualifier the integrations call", () => {
    for (const integration of Object.values(synth.resource.aws_api_gateway_integration ?? {})) {
      expect(integration.uri).toMatch(/^\$\{aws_lambda_alias\.[a-z_]+_live\.invoke_arn\}$/);
    }
  });
});

describe("9. bucket notification", () => {
  it("sends every created *.csv to upload-infos's alias, after the permission exists", () => {
    expect(json).toHaveResourceWithProperties(S3BucketNotification, {
      bucket: "${aws_s3_bucket.movie_infos_bucket.id}",
      lambda_function: [
        {
          id: "upload_movie_infos_lambda_on_object_created",
          events: ["s3:ObjectCreated:*"],
          filter_suffix: ".csv",
          lambda_function_arn: "${aws_lambda_alias.upload_movie_infos_lambda_live.arn}",
        },
      ],
      depends_on: ["aws_lambda_permission.allow_movie_infos_bucket_to_invoke_upload_movie_infos_lambda"],
    });
  });
});

describe("outputs", () => {
  it("gives the API URL, the bucket URI and the table names", () => {
    expect(synth.output.movies_api_url?.value).toBe(
      "${aws_api_gateway_stage.movies_api_stage.invoke_url}/movies",
    );
    expect(synth.output.movie_infos_bucket_uri?.value).toBe(
      "s3://${aws_s3_bucket.movie_infos_bucket.bucket}",
    );
    expect(synth.output.movie_infos_table_name?.value).toBe("${aws_dynamodb_table.movie_infos_table.name}");
    expect(synth.output.movie_ratings_table_name?.value).toBe(
      "${aws_dynamodb_table.movie_ratings_table.name}",
    );
  });
});

describe("provider and remote state", () => {
  it("tags every resource through the provider's default_tags", () => {
    expect(JSON.parse(json).provider.aws).toEqual([
      {
        region: "eu-central-1",
        default_tags: [
          { tags: { project: "movies-cdktf", environment: "dev", service: "movies", "managed-by": "cdktf" } },
        ],
      },
    ]);
  });

  it("keeps state in S3, encrypted, locked with an S3 lock file", () => {
    expect(synth.terraform.backend).toEqual({
      s3: {
        // No bucket yet: the committed config names none (remote-state.test.ts owns the backend's shape).
        key: "movies/movies-dev.tfstate",
        region: "eu-central-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });
});
