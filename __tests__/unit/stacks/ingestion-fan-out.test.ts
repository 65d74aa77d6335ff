import { decodeJsonencode } from "../../../tooling/hcl-expression";
import { nestedBlocks } from "../../../tooling/terraform-json";
import { synthesized, type SynthesizedStack } from "../../helpers/synth";

/**
 * The fan-out path of ingestion as movies-<env> declares it: the Distributed Map's definition, the state
 * machine's exact IAM, its log group and alarms, and how upload-infos reaches it.
 */

const machineOf = (synth: SynthesizedStack) =>
  synth.resource.aws_sfn_state_machine?.ingestion_state_machine as Record<string, unknown>;
const definitionOf = (synth: SynthesizedStack) => decodeJsonencode(String(machineOf(synth).definition));

describe("the ingestion state machine (movies-dev)", () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesized("movies-dev");
  });

  it("is a Standard state machine with its own role, logging errors without execution data", () => {
    expect(machineOf(synth)).toMatchObject({
      name: "movie-infos-ingestion-dev",
      type: "STANDARD",
      role_arn: "${aws_iam_role.ingestion_state_machine_role.arn}",
      logging_configuration: {
        level: "ERROR",
        include_execution_data: false,
        log_destination: "${aws_cloudwatch_log_group.ingestion_state_machine_log_group.arn}:*",
      },
      depends_on: ["aws_iam_role_policy_attachment.ingestion_state_machine_policy_attachment"],
    });
    expect(synth.resource.aws_cloudwatch_log_group?.ingestion_state_machine_log_group).toMatchObject({
      name: "/aws/vendedlogs/states/movie-infos-ingestion-dev",
      retention_in_days: 14,
    });
  });

  it("maps over the uploaded version with the CSV reader, in batches, bounded, to the batch function, results to S3", () => {
    expect(definitionOf(synth)).toEqual({
      Comment: "Ingests a large movie infos CSV: batches of rows to the batch function, results to S3",
      StartAt: "IngestBatches",
      States: {
        IngestBatches: {
          Type: "Map",
          ItemReader: {
            Resource: "arn:aws:states:::s3:getObject",
            // Headers given, so a header line is an item like any other: the batch code recognizes it on
            // line 1, as upload-infos does, and a file without one loses no row.
            ReaderConfig: {
              InputType: "CSV",
              CSVHeaderLocation: "GIVEN",
              CSVHeaders: ["movie_id", "name", "country_of_origin", "release_date"],
            },
            Parameters: { "Bucket.$": "$.bucket", "Key.$": "$.key", "VersionId.$": "$.versionId" },
          },
          ItemSelector: { "index.$": "$$.Map.Item.Index", "row.$": "$$.Map.Item.Value" },
          ItemBatcher: {
            MaxItemsPerBatch: 1000,
            MaxInputBytesPerBatch: 262144,
            BatchInput: { "bucket.$": "$.bucket", "key.$": "$.key", "versionId.$": "$.versionId" },
          },
          MaxConcurrency: 1,
          ToleratedFailurePercentage: 0,
          ItemProcessor: {
            ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
            StartAt: "IngestBatch",
            States: {
              IngestBatch: {
                Type: "Task",
                Resource: "arn:aws:states:::lambda:invoke",
                Parameters: {
                  FunctionName: "${aws_lambda_alias.upload_movie_infos_batch_lambda_live.arn}",
                  "Payload.$": "$",
                },
                OutputPath: "$.Payload",
                Retry: [
                  {
                    ErrorEquals: [
                      "Lambda.ServiceException",
                      "Lambda.AWSLambdaException",
                      "Lambda.SdkClientException",
                      "Lambda.TooManyRequestsException",
                      "DeadlineExceededError",
                    ],
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
            Parameters: { Bucket: "${aws_s3_bucket.movie_infos_bucket.bucket}", Prefix: "fan-out-results" },
          },
          End: true,
        },
      },
    });
  });

  it("may read the uploads, invoke the batch alias, write results, run its child executions and deliver its log: nothing else", () => {
    const account = "${data.aws_caller_identity.current.account_id}";
    expect(synth.data.aws_iam_policy_document?.ingestion_state_machine_policy_document?.statement).toEqual([
      {
        sid: "ReadUploadedObjects",
        effect: "Allow",
        actions: ["s3:GetObject", "s3:GetObjectVersion"],
        resources: ["${aws_s3_bucket.movie_infos_bucket.arn}/*"],
      },
      {
        sid: "InvokeBatchFunction",
        effect: "Allow",
        actions: ["lambda:InvokeFunction"],
        resources: ["${aws_lambda_alias.upload_movie_infos_batch_lambda_live.arn}"],
      },
      {
        sid: "WriteResults",
        effect: "Allow",
        actions: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"],
        resources: ["${aws_s3_bucket.movie_infos_bucket.arn}/fan-out-results/*"],
      },
      {
        sid: "StartChildExecutions",
        effect: "Allow",
        actions: ["states:StartExecution"],
        resources: [`arn:aws:states:eu-central-1:${account}:stateMachine:movie-infos-ingestion-dev`],
      },
      {
        sid: "ManageChildExecutions",
        effect: "Allow",
        actions: ["states:DescribeExecution", "states:StopExecution"],
        resources: [`arn:aws:states:eu-central-1:${account}:execution:movie-infos-ingestion-dev/*`],
      },
      {
        sid: "DeliverLogs",
        effect: "Allow",
        actions: [
          "logs:CreateLogDelivery",
          "logs:DeleteLogDelivery",
          "logs:DescribeLogGroups",
          "logs:DescribeResourcePolicies",
          "logs:GetLogDelivery",
          "logs:ListLogDeliveries",
          "logs:PutResourcePolicy",
          "logs:UpdateLogDelivery",
        ],
        resources: ["*"],
      },
    ]);
    // The built ARN is the state machine's own: same name.
    expect(machineOf(synth).name).toBe("movie-infos-ingestion-dev");
  });

  it("may be assumed by Step Functions of this account only", () => {
    expect(synth.resource.aws_iam_role?.ingestion_state_machine_role).toMatchObject({
      name: "movie-infos-ingestion-dev",
      assume_role_policy: "${data.aws_iam_policy_document.ingestion_state_machine_assume_role_policy.json}",
    });
    expect(
      nestedBlocks(synth.data.aws_iam_policy_document?.ingestion_state_machine_assume_role_policy?.statement),
    ).toEqual([
      {
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["states.amazonaws.com"] }],
        condition: [
          {
            test: "StringEquals",
            variable: "aws:SourceAccount",
            values: ["${data.aws_caller_identity.current.account_id}"],
          },
        ],
      },
    ]);
  });

  it.each([
    ["executions_failed", "ExecutionsFailed"],
    ["executions_timed_out", "ExecutionsTimedOut"],
    ["executions_aborted", "ExecutionsAborted"],
  ])("alarms on %s (AWS/States %s) to the alerts topic", (suffix, metricName) => {
    expect(synth.resource.aws_cloudwatch_metric_alarm?.[`ingestion_state_machine_${suffix}`]).toMatchObject({
      alarm_name: `${"${aws_sfn_state_machine.ingestion_state_machine.name}"}-${suffix.replaceAll("_", "-")}`,
      namespace: "AWS/States",
      metric_name: metricName,
      dimensions: { StateMachineArn: "${aws_sfn_state_machine.ingestion_state_machine.arn}" },
      statistic: "Sum",
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      alarm_actions: ["${aws_sns_topic.alerts.arn}"],
      ok_actions: ["${aws_sns_topic.alerts.arn}"],
    });
  });

  it("gives the dashboard a row of executions", () => {
    const body = JSON.stringify(
      decodeJsonencode(String(synth.resource.aws_cloudwatch_dashboard?.dashboard?.dashboard_body)),
    );
    expect(body).toContain("State machine ${aws_sfn_state_machine.ingestion_state_machine.name}: executions");
    expect(body).toContain(
      "State machine ${aws_sfn_state_machine.ingestion_state_machine.name}: executions that did not succeed",
    );
  });

  it("runs upload-infos and upload-infos-batch with the ingestion group's memory and timeout", () => {
    for (const fn of ["upload_movie_infos_lambda", "upload_movie_infos_batch_lambda"]) {
      expect(synth.resource.aws_lambda_function?.[fn]).toMatchObject({ memory_size: 256, timeout: 300 });
    }
  });
});

describe("per environment", () => {
  it.each([
    ["movies-staging", 512, 2, 32 * 1024 * 1024],
    ["movies-prod", 512, 14, 32 * 1024 * 1024],
  ])(
    "%s: %d MB, MaxConcurrency %d, threshold %d bytes, from stacks/config.ts",
    (stack, memory, concurrency, threshold) => {
      const synth = synthesized(stack);
      const map = (definitionOf(synth) as { States: { IngestBatches: Record<string, unknown> } }).States
        .IngestBatches;
      expect(map).toMatchObject({ MaxConcurrency: concurrency, ToleratedFailurePercentage: 0 });
      expect(map.ItemBatcher).toMatchObject({ MaxItemsPerBatch: 1000 });
      const upload = synth.resource.aws_lambda_function?.upload_movie_infos_lambda as {
        memory_size: number;
        environment: { variables: Record<string, string> };
      };
      expect(upload.memory_size).toBe(memory);
      expect(upload.environment.variables.FAN_OUT_THRESHOLD_BYTES).toBe(String(threshold));
    },
  );
});
