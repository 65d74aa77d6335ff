import { Testing } from "cdktf";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { decodeJsonencode } from "../../../tooling/hcl-expression";
import { ACCESS_LOG_FORMAT } from "../../../constructs/rest-api";
import { MOVIE_ID_PATTERN } from "../../../lambdas/shared/movies-contract";
import { loadConfig, type EnvironmentConfig } from "../../../stacks/config";
import { MoviesStack } from "../../../stacks/movies-stack";
import { UPDATE_RATING_MODEL } from "../../../stacks/movies-models";
import { synthesize, synthesized, type SynthesizedStack } from "../../helpers/synth";

let synth: SynthesizedStack;
let json: string;

beforeAll(() => {
  synth = synthesized("movies-dev");
  json = synth.json;
});

const TOPIC = "${aws_sns_topic.alerts.arn}";
const alarm = (name: string) => synth.resource.aws_cloudwatch_metric_alarm?.[name];
const fnName = (fn: string) => `\${aws_lambda_function.${fn}.function_name}`;
const API_NAME = "${aws_api_gateway_rest_api.movies_api.name}";
const MACHINE = "${aws_sfn_state_machine.ingestion_state_machine.name}";
const STAGE = "${aws_api_gateway_stage.movies_api_stage.stage_name}";

/** A movies-dev stack synthesized from `config` changed by `change`. */
function synthWith(change: (config: EnvironmentConfig) => EnvironmentConfig): SynthesizedStack {
  const stack = new MoviesStack(Testing.app(), "movies-dev", { config: change(loadConfig("dev", {})) });
  return synthesize(stack);
}

describe("alerts topic", () => {
  it("is alerts-<env>, encrypted with a key CloudWatch alarms may use (aws/sns would refuse them)", () => {
    expect(json).toHaveResourceWithProperties(SnsTopic, {
      name: "movies-alerts-dev",
      kms_master_key_id: "${aws_kms_key.alerts_key.arn}",
    });
    expect(synth.resource.aws_kms_key?.alerts_key).toMatchObject({
      enable_key_rotation: true,
      deletion_window_in_days: 7,
      policy: "${data.aws_iam_policy_document.alerts_key_policy_document.json}",
    });
    expect(synth.resource.aws_kms_alias?.alerts_key_alias).toMatchObject({
      name: "alias/movies-alerts-dev",
      target_key_id: "${aws_kms_key.alerts_key.key_id}",
    });
  });

  it("lets CloudWatch, and no other service, use its key (the statements are the Topic test's)", () => {
    const statements = synth.data.aws_iam_policy_document?.alerts_key_policy_document?.statement as {
      principals: { type: string; identifiers: string[] }[];
    }[];
    const services = statements.flatMap((s) => s.principals.filter((p) => p.type === "Service"));
    expect(services.flatMap((p) => p.identifiers)).toEqual(["cloudwatch.amazonaws.com"]);
  });

  it("has no e-mail subscription unless the config names an address", () => {
    expect(synth.resource.aws_sns_topic_subscription).toBeUndefined();
    const withEmail = synthWith((c) => ({ ...c, alarmEmail: "oncall@example.com" }));
    expect(withEmail.resource.aws_sns_topic_subscription?.alerts_email).toMatchObject({
      topic_arn: TOPIC,
      protocol: "email",
      endpoint: "oncall@example.com",
    });
  });
});

/** How a count alarm fires: any occurrence in one 5-minute period. */
const ANY_IN_FIVE_MINUTES = {
  statistic: "Sum",
  period: 300,
  evaluation_periods: 1,
  threshold: 1,
  comparison_operator: "GreaterThanOrEqualToThreshold",
};

/** The alarm on any occurrence of an `AWS/Lambda` count of `fn` in 5 minutes, named `<function>-<nameSuffix>`. */
function lambdaCountAlarm(fn: string, metric: string, nameSuffix: string) {
  return {
    alarm_description: `${fnName(fn)}: ${metric} in the last 5 minutes`,
    alarm_name: `${fnName(fn)}-${nameSuffix}`,
    namespace: "AWS/Lambda",
    metric_name: metric,
    dimensions: { FunctionName: fnName(fn) },
    ...ANY_IN_FIVE_MINUTES,
    treat_missing_data: "notBreaching",
    alarm_actions: [TOPIC],
    ok_actions: [TOPIC],
  };
}

describe("alarms", () => {
  it("every alarm notifies the alerts topic when it fires and when it recovers", () => {
    const alarms = Object.values(synth.resource.aws_cloudwatch_metric_alarm ?? {});
    expect(alarms).toHaveLength(20);
    for (const a of alarms) {
      expect(a).toMatchObject({
        alarm_actions: [TOPIC],
        ok_actions: [TOPIC],
        treat_missing_data: "notBreaching",
      });
    }
  });

  it.each(["get_movie_lambda", "update_movie_rating_lambda", "upload_movie_infos_lambda"])(
    "%s: Errors and Throttles, any in 5 minutes",
    (fn) => {
      for (const [suffix, metric] of [
        ["errors", "Errors"],
        ["throttles", "Throttles"],
      ] as const) {
        expect(alarm(`${fn}_${suffix}`)).toEqual(lambdaCountAlarm(fn, metric, suffix));
      }
    },
  );

  it("upload-infos (invoked by S3): any event lost on the way, dropped or undeliverable to its failure queue", () => {
    const fn = "upload_movie_infos_lambda";
    for (const [suffix, metric, name] of [
      ["destination_delivery_failures", "DestinationDeliveryFailures", "destination-delivery-failures"],
      ["async_events_dropped", "AsyncEventsDropped", "async-events-dropped"],
    ] as const) {
      expect(alarm(`${fn}_${suffix}`)).toEqual(lambdaCountAlarm(fn, metric, name));
    }
    // The API's functions are invoked synchronously: they have no such alarms.
    expect(alarm("get_movie_lambda_async_events_dropped")).toBeUndefined();
  });

  it.each(["get_movie_lambda", "update_movie_rating_lambda"])(
    "%s (behind the API, which turns its exceptions into 500s): any ERROR log line in 5 minutes",
    (fn) => {
      expect(synth.resource.aws_cloudwatch_log_metric_filter?.[`${fn}_error_logs`]).toEqual({
        name: `${fnName(fn)}-error-logs`,
        log_group_name: `\${aws_cloudwatch_log_group.${fn}_log_group.name}`,
        pattern: '{ $.level = "ERROR" }',
        metric_transformation: {
          namespace: "movies-dev",
          name: "ErrorLogLines",
          value: "1",
          unit: "Count",
          dimensions: { FunctionName: "$.function_name" },
        },
      });
      expect(alarm(`${fn}_error_logs`)).toMatchObject({
        alarm_name: `${fnName(fn)}-error-logs`,
        namespace: "movies-dev",
        metric_name: "ErrorLogLines",
        dimensions: { FunctionName: fnName(fn) },
        ...ANY_IN_FIVE_MINUTES,
      });
    },
  );

  it("counts no ERROR lines of upload-infos: it fails its invocation, which Errors counts", () => {
    expect(Object.keys(synth.resource.aws_cloudwatch_log_metric_filter ?? {}).sort()).toEqual([
      "get_movie_lambda_error_logs",
      "update_movie_rating_lambda_error_logs",
      "upload_movie_infos_batch_lambda_batch_rows_rejected",
      "upload_movie_infos_batch_lambda_batch_rows_written",
      "upload_movie_infos_lambda_rows_rejected",
      "upload_movie_infos_lambda_rows_written",
    ]);
  });

  it("the API stage: any 5xx in 5 minutes", () => {
    expect(alarm("movies_api_5xx_errors")).toMatchObject({
      alarm_name: `${API_NAME}-${STAGE}-5xx-errors`,
      namespace: "AWS/ApiGateway",
      metric_name: "5XXError",
      dimensions: { ApiName: API_NAME, Stage: STAGE },
      statistic: "Sum",
      period: 300,
      evaluation_periods: 1,
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
    });
  });

  it("the API stage: p99 latency above 2 s for three 5-minute periods", () => {
    const a = alarm("movies_api_p99_latency");
    expect(a).toMatchObject({
      alarm_name: `${API_NAME}-${STAGE}-p99-latency`,
      namespace: "AWS/ApiGateway",
      metric_name: "Latency",
      dimensions: { ApiName: API_NAME, Stage: STAGE },
      extended_statistic: "p99",
      period: 300,
      evaluation_periods: 3,
      threshold: 2000,
      comparison_operator: "GreaterThanThreshold",
    });
    expect(a).not.toHaveProperty("statistic");
  });

  it("the ingestion failure queue: any message waiting", () => {
    expect(alarm("upload_movie_infos_lambda_failures_not_empty")).toMatchObject({
      alarm_name: "${aws_sqs_queue.upload_movie_infos_lambda_failures.name}-not-empty",
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "${aws_sqs_queue.upload_movie_infos_lambda_failures.name}" },
      statistic: "Maximum",
      period: 60,
      evaluation_periods: 1,
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
    });
  });

  it.each(["movie_infos_table", "movie_ratings_table"])(
    "%s: any throttled read or write in 5 minutes",
    (table) => {
      const tableName = `\${aws_dynamodb_table.${table}.name}`;
      const metric = (id: string, metricName: string) => ({
        id,
        return_data: false,
        metric: {
          namespace: "AWS/DynamoDB",
          metric_name: metricName,
          dimensions: { TableName: tableName },
          stat: "Sum",
          period: 300,
        },
      });
      const a = alarm(`${table}_throttles`);
      expect(a).toMatchObject({
        alarm_name: `${tableName}-throttles`,
        evaluation_periods: 1,
        threshold: 1,
        comparison_operator: "GreaterThanOrEqualToThreshold",
        metric_query: [
          {
            id: "throttles",
            expression: "FILL(reads, 0) + FILL(writes, 0)",
            label: "Throttle events",
            return_data: true,
          },
          metric("reads", "ReadThrottleEvents"),
          metric("writes", "WriteThrottleEvents"),
        ],
      });
      expect(a).not.toHaveProperty("metric_name");
      expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
        alarm_name: `${tableName}-throttles`,
      });
    },
  );
});

describe("dashboard", () => {
  type Widget = {
    type: string;
    x: number;
    y: number;
    width: number;
    height: number;
    properties: Record<string, unknown>;
  };
  let widgets: Widget[];
  const titled = (title: string) => widgets.find((w) => w.properties.title === title);
  const metricsOf = (title: string) => titled(title)?.properties.metrics as unknown[][];

  beforeAll(() => {
    const dashboard = synth.resource.aws_cloudwatch_dashboard?.dashboard as {
      dashboard_name: string;
      dashboard_body: string;
    };
    expect(dashboard.dashboard_name).toBe("movies-dev");
    widgets = (decodeJsonencode(dashboard.dashboard_body) as { widgets: Widget[] }).widgets;
  });

  it("lays widgets out in rows of the 24-column grid, in this order", () => {
    expect(widgets.map((w) => [w.properties.title ?? w.type, w.x, w.y, w.width, w.height])).toEqual([
      ["text", 0, 0, 24, 2],
      [`API ${API_NAME}: requests`, 0, 2, 8, 6],
      [`API ${API_NAME}: latency (ms)`, 8, 2, 8, 6],
      [`API ${API_NAME}: errors`, 16, 2, 8, 6],
      ["Lambda: invocations", 0, 8, 8, 6],
      ["Lambda: duration p99 (ms)", 8, 8, 8, 6],
      ["Lambda: errors", 16, 8, 8, 6],
      ["Lambda: throttles", 0, 14, 8, 6],
      ["Lambda: concurrent executions", 8, 14, 8, 6],
      ["Lambda: ERROR log lines (API and batch functions)", 16, 14, 8, 6],
      ["Lambda: asynchronous events lost", 0, 20, 24, 6],
      ["DynamoDB: consumed capacity", 0, 26, 12, 6],
      ["DynamoDB: throttle events", 12, 26, 12, 6],
      [`State machine ${MACHINE}: executions`, 0, 32, 12, 6],
      [`State machine ${MACHINE}: executions that did not succeed`, 12, 32, 12, 6],
      ["Ingestion: rows written / rejected", 0, 38, 8, 6],
      ["Fan-out ingestion: rows written / rejected", 8, 38, 8, 6],
      ["Failure queues: messages waiting", 16, 38, 8, 6],
    ]);
    for (const w of widgets.filter((w) => w.type === "metric")) {
      expect(w.properties).toMatchObject({ region: "eu-central-1", view: "timeSeries" });
    }
  });

  it("API: requests, latency p50/p99, 4xx/5xx of the stage", () => {
    const dims = ["ApiName", API_NAME, "Stage", STAGE];
    expect(metricsOf(`API ${API_NAME}: requests`)).toEqual([
      ["AWS/ApiGateway", "Count", ...dims, { stat: "Sum", label: "Requests" }],
    ]);
    expect(metricsOf(`API ${API_NAME}: latency (ms)`)).toEqual([
      ["AWS/ApiGateway", "Latency", ...dims, { stat: "p50", label: "p50" }],
      ["AWS/ApiGateway", "Latency", ...dims, { stat: "p99", label: "p99" }],
    ]);
    expect(metricsOf(`API ${API_NAME}: errors`)).toEqual([
      ["AWS/ApiGateway", "4XXError", ...dims, { stat: "Sum", label: "4xx" }],
      ["AWS/ApiGateway", "5XXError", ...dims, { stat: "Sum", label: "5xx" }],
    ]);
  });

  it.each([
    ["Lambda: invocations", "Invocations", "Sum"],
    ["Lambda: duration p99 (ms)", "Duration", "p99"],
    ["Lambda: errors", "Errors", "Sum"],
    ["Lambda: throttles", "Throttles", "Sum"],
    ["Lambda: concurrent executions", "ConcurrentExecutions", "Maximum"],
  ])("%s: one line per function", (title, metric, stat) => {
    expect(titled(title)?.properties.stat).toBe(stat);
    expect(metricsOf(title)).toEqual(
      [
        "get_movie_lambda",
        "update_movie_rating_lambda",
        "upload_movie_infos_batch_lambda",
        "upload_movie_infos_lambda",
      ].map((fn) => ["AWS/Lambda", metric, "FunctionName", fnName(fn), { label: fnName(fn) }]),
    );
  });

  it("Lambda: ERROR log lines of the API's functions, and the events upload-infos lost", () => {
    expect(metricsOf("Lambda: ERROR log lines (API and batch functions)")).toEqual(
      ["get_movie_lambda", "update_movie_rating_lambda"].map((fn) => [
        "movies-dev",
        "ErrorLogLines",
        "FunctionName",
        fnName(fn),
        { label: fnName(fn) },
      ]),
    );
    const upload = fnName("upload_movie_infos_lambda");
    expect(metricsOf("Lambda: asynchronous events lost")).toEqual([
      ["AWS/Lambda", "AsyncEventsDropped", "FunctionName", upload, { label: `${upload} dropped` }],
      [
        "AWS/Lambda",
        "DestinationDeliveryFailures",
        "FunctionName",
        upload,
        { label: `${upload} destination failures` },
      ],
    ]);
  });

  it("DynamoDB: consumed read/write capacity and throttle events per table", () => {
    const lines = (metric: string, suffix: string) =>
      ["movie_infos_table", "movie_ratings_table"].map((t) => [
        "AWS/DynamoDB",
        metric,
        "TableName",
        `\${aws_dynamodb_table.${t}.name}`,
        { label: `\${aws_dynamodb_table.${t}.name} ${suffix}` },
      ]);
    expect(metricsOf("DynamoDB: consumed capacity")).toEqual([
      ...lines("ConsumedReadCapacityUnits", "read"),
      ...lines("ConsumedWriteCapacityUnits", "write"),
    ]);
    expect(metricsOf("DynamoDB: throttle events")).toEqual([
      ...lines("ReadThrottleEvents", "read"),
      ...lines("WriteThrottleEvents", "write"),
    ]);
  });

  it("ingestion: rows written and rejected (from the logs) and the failure queue", () => {
    expect(metricsOf("Ingestion: rows written / rejected")).toEqual([
      ["movies-dev", "RowsWritten", { label: "RowsWritten" }],
      ["movies-dev", "RowsRejected", { label: "RowsRejected" }],
    ]);
    expect(titled("Failure queues: messages waiting")?.properties).toMatchObject({
      stat: "Maximum",
      period: 60,
    });
  });
});

describe("ingestion metrics from upload-infos's summary line", () => {
  it.each([
    ["rows_written", "RowsWritten", "$.written"],
    ["rows_rejected", "RowsRejected", "$.rejectedCount"],
  ])("%s sums %s of each 'ingested movie infos' line", (suffix, metric, field) => {
    expect(
      synth.resource.aws_cloudwatch_log_metric_filter?.[`upload_movie_infos_lambda_${suffix}`],
    ).toMatchObject({
      name: `${fnName("upload_movie_infos_lambda")}-${metric}`,
      log_group_name: "${aws_cloudwatch_log_group.upload_movie_infos_lambda_log_group.name}",
      pattern: '{ $.message = "ingested movie infos" }',
      metric_transformation: { namespace: "movies-dev", name: metric, value: field, unit: "Count" },
    });
  });
});

describe("upload-infos failure handling", () => {
  it("retries an S3 event twice within an hour on the live alias, then sends it to the failure queue", () => {
    expect(
      synth.resource.aws_lambda_function_event_invoke_config?.upload_movie_infos_lambda_async_invoke,
    ).toMatchObject({
      function_name: fnName("upload_movie_infos_lambda"),
      qualifier: "${aws_lambda_alias.upload_movie_infos_lambda_live.name}",
      maximum_retry_attempts: 2,
      maximum_event_age_in_seconds: 3600,
      destination_config: {
        on_failure: { destination: "${aws_sqs_queue.upload_movie_infos_lambda_failures.arn}" },
      },
      depends_on: ["aws_iam_role_policy_attachment.upload_movie_infos_lambda_policy_attachment"],
    });
  });

  it("keeps failed events 14 days in an encrypted queue", () => {
    expect(synth.resource.aws_sqs_queue?.upload_movie_infos_lambda_failures).toMatchObject({
      name: "upload-infos-dev-failures",
      sqs_managed_sse_enabled: true,
      message_retention_seconds: 1_209_600,
    });
  });

  it("configures no asynchronous invocation for the API's functions", () => {
    expect(Object.keys(synth.resource.aws_lambda_function_event_invoke_config ?? {})).toEqual([
      "upload_movie_infos_lambda_async_invoke",
    ]);
  });
});

describe("API protection", () => {
  it("writes JSON access logs to the API's own log group, kept as long as the config says", () => {
    expect(synth.resource.aws_cloudwatch_log_group?.movies_api_access_logs).toMatchObject({
      name: "/aws/apigateway/movies_api-dev/access-logs",
      retention_in_days: 14,
    });
    const settings = (
      synth.resource.aws_api_gateway_stage?.movies_api_stage as {
        access_log_settings: { destination_arn: string; format: string };
      }
    ).access_log_settings;
    expect(settings.destination_arn).toBe("${aws_cloudwatch_log_group.movies_api_access_logs.arn}");
    const format = decodeJsonencode(settings.format) as Record<string, string>;
    expect(format).toEqual(ACCESS_LOG_FORMAT);
    expect(format).toMatchObject({
      requestId: "$context.requestId",
      ip: "$context.identity.sourceIp",
      httpMethod: "$context.httpMethod",
      resourcePath: "$context.resourcePath",
      status: "$context.status",
      responseLength: "$context.responseLength",
      integrationLatency: "$context.integration.latency",
    });
  });

  it("throttles every method of the stage at the config's rate and burst, with metrics on", () => {
    expect(synth.resource.aws_api_gateway_method_settings?.movies_api_method_settings).toMatchObject({
      rest_api_id: "${aws_api_gateway_rest_api.movies_api.id}",
      stage_name: STAGE,
      method_path: "*/*",
      settings: { metrics_enabled: true, throttling_rate_limit: 50, throttling_burst_limit: 100 },
    });
    const custom = synthWith((c) => ({ ...c, apiThrottling: { rateLimit: 7, burstLimit: 9 } }));
    expect(custom.resource.aws_api_gateway_method_settings?.movies_api_method_settings).toMatchObject({
      settings: { throttling_rate_limit: 7, throttling_burst_limit: 9 },
    });
  });

  it("validates parameters and bodies with one validator used by every method", () => {
    expect(synth.resource.aws_api_gateway_request_validator?.movies_api_request_validator).toMatchObject({
      rest_api_id: "${aws_api_gateway_rest_api.movies_api.id}",
      validate_request_body: true,
      validate_request_parameters: true,
    });
    for (const method of Object.values(synth.resource.aws_api_gateway_method ?? {})) {
      expect(method).toMatchObject({
        request_validator_id: "${aws_api_gateway_request_validator.movies_api_request_validator.id}",
        request_parameters: { "method.request.path.movieId": true },
      });
    }
    expect(synth.resource.aws_api_gateway_method?.get_movie_request_method).not.toHaveProperty(
      "request_models",
    );
  });

  it("checks the PATCH body against the UpdateRating draft-04 model", () => {
    expect(synth.resource.aws_api_gateway_method?.update_movie_rating_request_method).toMatchObject({
      request_models: {
        "application/json": "${aws_api_gateway_model.update_movie_rating_request_model.name}",
      },
    });
    const model = synth.resource.aws_api_gateway_model?.update_movie_rating_request_model as Record<
      string,
      string
    >;
    expect(model).toMatchObject({ name: "UpdateRating", content_type: "application/json" });
    expect(decodeJsonencode(model.schema as string)).toEqual({
      $schema: "http://json-schema.org/draft-04/schema#",
      title: "UpdateRating",
      type: "object",
      properties: {
        movie_id: { type: "string", pattern: "^[A-Za-z0-9_.-]{1,128}$" },
        rotten_tomatoes_rating: { type: "integer", minimum: 0, maximum: 100 },
        imdb_rating: { type: "integer", minimum: 0, maximum: 100 },
      },
      additionalProperties: false,
      minProperties: 1,
      anyOf: [{ required: ["rotten_tomatoes_rating"] }, { required: ["imdb_rating"] }],
    });
  });

  it.each([
    ["movies_api_bad_request_body", "BAD_REQUEST_BODY"],
    ["movies_api_bad_request_parameters", "BAD_REQUEST_PARAMETERS"],
  ])("%s answers a failed validation with a JSON message that names the field", (address, responseType) => {
    expect(synth.resource.aws_api_gateway_gateway_response?.[address]).toEqual(
      expect.objectContaining({
        rest_api_id: "${aws_api_gateway_rest_api.movies_api.id}",
        response_type: responseType,
        status_code: "400",
        response_templates: {
          "application/json":
            '{"message": "$context.error.message: $util.escapeJavaScript($context.error.validationErrorString).replaceAll("\\\\\'","\'")"}',
        },
      }),
    );
    const trigger = (
      synth.resource.aws_api_gateway_deployment?.movies_api_deployment as {
        triggers: { redeployment: string };
      }
    ).triggers.redeployment;
    expect(trigger).toContain(`aws_api_gateway_gateway_response.${address}.id`);
  });

  it("uses the handler's movie id rule in the model", () => {
    expect(UPDATE_RATING_MODEL.schema.properties?.movie_id?.pattern).toBe(MOVIE_ID_PATTERN.source);
  });

  it("redeploys when the model, the validator, a method's checks or a gateway response change", () => {
    const trigger = (
      synth.resource.aws_api_gateway_deployment?.movies_api_deployment as {
        triggers: { redeployment: string };
      }
    ).triggers.redeployment;
    for (const ref of [
      "aws_api_gateway_request_validator.movies_api_request_validator.id",
      "aws_api_gateway_request_validator.movies_api_request_validator.validate_request_body",
      "aws_api_gateway_request_validator.movies_api_request_validator.validate_request_parameters",
      "aws_api_gateway_model.update_movie_rating_request_model.id",
      "aws_api_gateway_model.update_movie_rating_request_model.schema",
      "aws_api_gateway_method.update_movie_rating_request_method.request_parameters",
      "aws_api_gateway_method.update_movie_rating_request_method.request_models",
      "aws_api_gateway_method.update_movie_rating_request_method.request_validator_id",
      "aws_api_gateway_gateway_response.movies_api_bad_request_body.response_templates",
      "aws_api_gateway_gateway_response.movies_api_bad_request_body.status_code",
    ]) {
      expect(trigger).toContain(ref);
    }
  });
});

describe("reserved concurrency", () => {
  it("leaves dev's functions unreserved", () => {
    for (const fn of Object.values(synth.resource.aws_lambda_function ?? {})) {
      expect(fn).not.toHaveProperty("reserved_concurrent_executions");
    }
  });

  it("reserves the config's concurrency for every function when set", () => {
    const reserved = synthWith((c) => ({ ...c, lambda: { ...c.lambda, reservedConcurrency: 5 } }));
    const functions = Object.values(reserved.resource.aws_lambda_function ?? {});
    expect(functions).toHaveLength(4);
    for (const fn of functions) expect(fn).toMatchObject({ reserved_concurrent_executions: 5 });
  });
});
