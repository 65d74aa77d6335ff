import { CloudwatchEventBus } from "@cdktf/provider-aws/lib/cloudwatch-event-bus";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { PipesPipe } from "@cdktf/provider-aws/lib/pipes-pipe";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { Testing, TerraformStack } from "cdktf";
import { decodeJsonencode } from "../../../tooling/hcl-expression";
import { Table } from "../../../constructs/table";
import { EventBus } from "../../../constructs/event-bus";
import { TableStreamPipe, type TableStreamPipeProps } from "../../../constructs/table-stream-pipe";
import { ORDER_CREATED_INPUT_TEMPLATE } from "../../../lambdas/orders/contract";
import { MAX_ORDER_ITEMS, REFERENCE_PATTERN } from "../../../lambdas/orders/contract";
import {
  addressList,
  bundledFunction,
  eventBus,
  eventRule,
  queue,
  restApi,
  serviceStack,
  table,
  tableStreamPipe,
  topic,
} from "../../helpers/addresses";
import { addresses, synthesize, synthesized, type SynthesizedStack } from "../../helpers/synth";

let synth: SynthesizedStack;
let json: string;

beforeAll(() => {
  synth = synthesized("orders-dev");
  json = synth.json;
});

const doc = (name: string) => synth.data.aws_iam_policy_document?.[name]?.statement;
const RULE_ARN = "${aws_cloudwatch_event_rule.order_created_rule.arn}";

describe("readable, stable Terraform", () => {
  it("names every address after what it is, in snake_case", () => {
    expect(addresses(synth)).toEqual(
      addressList(
        serviceStack(),
        table("orders_table"),
        bundledFunction("orders_lambda", { api: true }),
        restApi("orders_api", {
          resources: ["orders_resource", "order_resource"],
          routes: ["create_order_request", "get_order_request"],
          models: ["create_order_request"],
        }),
        eventBus("orders_bus"),
        tableStreamPipe("order_created_pipe"),
        eventRule("order_created_rule", ["order_created_queue_target", "order_notifications_target"]),
        queue("order_created_queue", { ruleTarget: true }),
        topic("order_notifications_topic", { ruleTarget: true }),
        ["aws_ssm_parameter.orders_bus_name_link"],
      ),
    );
  });

  it("has its own state key and tags every resource as the orders service", () => {
    expect(synth.terraform.backend).toEqual({
      s3: {
        // No bucket yet: the committed config names none (remote-state.test.ts owns the backend's shape).
        key: "orders/orders-dev.tfstate",
        region: "eu-central-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
    expect(JSON.parse(json).provider.aws[0].default_tags).toEqual([
      { tags: { project: "movies-cdktf", environment: "dev", service: "orders", "managed-by": "cdktf" } },
    ]);
  });

  it("never hard-codes an account id", () => {
    expect(json).not.toMatch(/\b\d{12}\b/);
  });
});

describe("orders table", () => {
  it("is protected from deletion in staging and prod (deletion protection, prevent_destroy), not in dev", () => {
    for (const stack of ["orders-staging", "orders-prod"]) {
      expect(synthesized(stack).resource.aws_dynamodb_table?.orders_table).toMatchObject({
        deletion_protection_enabled: true,
        lifecycle: { prevent_destroy: true },
      });
    }
    expect(synth.resource.aws_dynamodb_table?.orders_table).toMatchObject({
      deletion_protection_enabled: false,
    });
    expect(synth.resource.aws_dynamodb_table?.orders_table).not.toHaveProperty("lifecycle");
  });

  it("is on-demand, encrypted, with PITR, hash key order_id, a NEW_IMAGE stream and a TTL", () => {
    expect(synth.resource.aws_dynamodb_table?.orders_table).toMatchObject({
      name: "orders-dev",
      billing_mode: "PAY_PER_REQUEST",
      hash_key: "order_id",
      attribute: [{ name: "order_id", type: "S" }],
      server_side_encryption: { enabled: true },
      point_in_time_recovery: { enabled: true },
      stream_enabled: true,
      stream_view_type: "NEW_IMAGE",
      ttl: { attribute_name: "expires_at", enabled: true },
    });
    expect(json).toHaveResourceWithProperties(DynamodbTable, { name: "orders-dev" });
  });
});

describe("orders function", () => {
  it("is bundled from lambdas/orders, reads the table name from ORDERS_TABLE", () => {
    expect(synth.resource.aws_lambda_function?.orders_lambda).toMatchObject({
      function_name: "orders-dev",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      publish: true,
      role: "${aws_iam_role.orders_lambda_role.arn}",
      environment: { variables: { ORDERS_TABLE: "${aws_dynamodb_table.orders_table.name}" } },
    });
    expect(synth.resource.aws_lambda_function?.orders_lambda?.filename).toMatch(/^assets\/.+\/orders\.zip$/);
    expect(synth.resource.aws_cloudwatch_log_group?.orders_lambda_log_group).toMatchObject({
      name: "/aws/lambda/orders-dev",
      retention_in_days: 14,
    });
  });

  it("may only PutItem and GetItem on this table, and write its own logs", () => {
    expect(doc("orders_lambda_policy_document")).toEqual([
      {
        sid: "WriteOwnLogs",
        effect: "Allow",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: ["${aws_cloudwatch_log_group.orders_lambda_log_group.arn}:*"],
      },
      {
        sid: "WriteTraces",
        effect: "Allow",
        actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        resources: ["*"],
      },
      {
        effect: "Allow",
        actions: ["dynamodb:GetItem", "dynamodb:PutItem"],
        resources: ["${aws_dynamodb_table.orders_table.arn}"],
      },
    ]);
    // The function never publishes: only the pipe may put events (no dual write).
    const publishers = Object.entries(synth.data.aws_iam_policy_document ?? {})
      .filter(([, d]) => JSON.stringify(d.statement).includes("events:PutEvents"))
      .map(([name]) => name);
    expect(publishers).toEqual(["order_created_pipe_policy_document"]);
  });
});

describe("orders API", () => {
  it("is a REGIONAL API with /orders and /orders/{orderId}", () => {
    expect(synth.resource.aws_api_gateway_rest_api?.orders_api).toMatchObject({
      name: "orders_api-dev",
      endpoint_configuration: { types: ["REGIONAL"] },
    });
    expect(synth.resource.aws_api_gateway_resource?.orders_resource).toMatchObject({
      parent_id: "${aws_api_gateway_rest_api.orders_api.root_resource_id}",
      path_part: "orders",
    });
    expect(synth.resource.aws_api_gateway_resource?.order_resource).toMatchObject({
      parent_id: "${aws_api_gateway_resource.orders_resource.id}",
      path_part: "{orderId}",
    });
  });

  it.each([
    ["create_order_request", "POST", "orders_resource", {}, "/orders"],
    ["get_order_request", "GET", "order_resource", { "method.request.path.orderId": true }, "/orders/*"],
  ])(
    "%s: %s proxied to the live alias, invocable only for that method and path",
    (route, method, res, params, path) => {
      expect(synth.resource.aws_api_gateway_method?.[`${route}_method`]).toMatchObject({
        rest_api_id: "${aws_api_gateway_rest_api.orders_api.id}",
        resource_id: `\${aws_api_gateway_resource.${res}.id}`,
        http_method: method,
        authorization: "NONE",
        request_parameters: params,
      });
      expect(synth.resource.aws_api_gateway_integration?.[`${route}_integration`]).toMatchObject({
        type: "AWS_PROXY",
        integration_http_method: "POST",
        uri: "${aws_lambda_alias.orders_lambda_live.invoke_arn}",
      });
      expect(synth.resource.aws_lambda_permission?.[`${route}_permission`]).toMatchObject({
        action: "lambda:InvokeFunction",
        principal: "apigateway.amazonaws.com",
        function_name: "${aws_lambda_function.orders_lambda.function_name}",
        qualifier: "${aws_lambda_alias.orders_lambda_live.name}",
        source_arn: `\${aws_api_gateway_rest_api.orders_api.execution_arn}/*/${method}${path}`,
      });
    },
  );

  it("redeploys on any change to its routes, to a stage of its own", () => {
    const deployment = synth.resource.aws_api_gateway_deployment?.orders_api_deployment as {
      triggers: { redeployment: string };
      depends_on: string[];
    };
    expect(deployment.depends_on).toEqual([
      "aws_api_gateway_method.create_order_request_method",
      "aws_api_gateway_integration.create_order_request_integration",
      "aws_api_gateway_method.get_order_request_method",
      "aws_api_gateway_integration.get_order_request_integration",
    ]);
    for (const ref of [
      "aws_api_gateway_resource.orders_resource.id",
      "aws_api_gateway_resource.order_resource.id",
      "aws_api_gateway_method.create_order_request_method.id",
      "aws_api_gateway_integration.get_order_request_integration.uri",
    ]) {
      expect(deployment.triggers.redeployment).toContain(ref);
    }
    expect(synth.resource.aws_api_gateway_stage?.orders_api_stage).toMatchObject({
      deployment_id: "${aws_api_gateway_deployment.orders_api_deployment.id}",
      stage_name: "dev",
    });
  });
});

describe("OrderCreated: table stream ──pipe──▶ orders bus", () => {
  it("has a custom bus named orders-dev", () => {
    expect(json).toHaveResourceWithProperties(CloudwatchEventBus, { name: "orders-dev" });
  });

  it("pipes the table's stream to the bus, one record at a time from LATEST, only INSERTs of orders", () => {
    const pipe = synth.resource.aws_pipes_pipe?.order_created_pipe as Record<string, unknown>;
    expect(pipe).toMatchObject({
      name: "order-created-dev",
      role_arn: "${aws_iam_role.order_created_pipe_role.arn}",
      source: "${aws_dynamodb_table.orders_table.stream_arn}",
      target: "${aws_cloudwatch_event_bus.orders_bus.arn}",
      depends_on: ["aws_iam_role_policy_attachment.order_created_pipe_policy_attachment"],
      source_parameters: {
        dynamodb_stream_parameters: {
          starting_position: "LATEST",
          batch_size: 1,
          maximum_retry_attempts: 10,
          maximum_record_age_in_seconds: 3600,
          on_partial_batch_item_failure: "AUTOMATIC_BISECT",
          dead_letter_config: { arn: "${aws_sqs_queue.order_created_pipe_dlq.arn}" },
        },
        filter_criteria: { filter: [{ pattern: expect.any(String) }] },
      },
      target_parameters: {
        eventbridge_event_bus_parameters: { detail_type: "OrderCreated", source: "orders.service" },
        input_template:
          '{"order_id": "<$.dynamodb.NewImage.order_id.S>", ' +
          '"customer_id": "<$.dynamodb.NewImage.customer_id.S>", ' +
          '"total_cents": <$.dynamodb.NewImage.total_cents.N>, ' +
          '"item_count": <$.dynamodb.NewImage.item_count.N>, ' +
          '"created_at": "<$.dynamodb.NewImage.created_at.S>"}',
      },
    });
    const { filter } = (pipe as { source_parameters: { filter_criteria: { filter: { pattern: string }[] } } })
      .source_parameters.filter_criteria;
    expect(filter.map((f) => decodeJsonencode(f.pattern))).toEqual([
      { eventName: ["INSERT"], dynamodb: { NewImage: { record_type: { S: ["ORDER"] } } } },
    ]);
    expect(json).toHaveResourceWithProperties(PipesPipe, { name: "order-created-dev" });
  });

  it("is created only after its role's policy is attached and the new stream has had 150 s (provider #40572)", () => {
    // The first apply: table and stream → the policy naming the stream → its attachment, which waits
    // 150 s once created → the pipe. Pipes refuses a stream or a role that is seconds old.
    expect(synth.resource.aws_pipes_pipe?.order_created_pipe).toMatchObject({
      depends_on: ["aws_iam_role_policy_attachment.order_created_pipe_policy_attachment"],
    });
    expect(synth.resource.aws_iam_role_policy_attachment?.order_created_pipe_policy_attachment).toEqual({
      role: "${aws_iam_role.order_created_pipe_role.name}",
      policy_arn: "${aws_iam_policy.order_created_pipe_policy.arn}",
      provisioner: [{ "local-exec": { command: 'node -e "setTimeout(() => {}, 150000)"' } }],
      // A new stream (its ARN changes) means a new wait before the pipe that reads it.
      lifecycle: { replace_triggered_by: ["aws_dynamodb_table.orders_table.stream_arn"] },
    });
    // Only the pipe's attachment waits: the function's roles never do.
    expect(synth.resource.aws_iam_role_policy_attachment?.orders_lambda_policy_attachment).not.toHaveProperty(
      "provisioner",
    );
  });

  it("dead-letters a record after 10 retries or 1 hour to its own SSE queue, kept 14 days", () => {
    expect(synth.resource.aws_sqs_queue?.order_created_pipe_dlq).toEqual({
      name: "order-created-dev-pipe-failures",
      sqs_managed_sse_enabled: true,
      message_retention_seconds: 1209600,
    });
  });

  it("logs failed executions at ERROR level, without the order, to a log group kept 14 days", () => {
    expect(synth.resource.aws_pipes_pipe?.order_created_pipe?.log_configuration).toEqual({
      level: "ERROR",
      cloudwatch_logs_log_destination: {
        log_group_arn: "${aws_cloudwatch_log_group.order_created_pipe_log_group.arn}",
      },
    });
    expect(synth.resource.aws_cloudwatch_log_group?.order_created_pipe_log_group).toEqual({
      name: "/aws/vendedlogs/pipes/order-created-dev",
      retention_in_days: 14,
    });
  });

  it("alarms on a failed execution and on a dead-lettered record", () => {
    expect(synth.resource.aws_cloudwatch_metric_alarm?.order_created_pipe_execution_failed).toEqual({
      alarm_name: "${aws_pipes_pipe.order_created_pipe.name}-execution-failed",
      alarm_description:
        "${aws_pipes_pipe.order_created_pipe.name}: failed executions in the last 5 minutes (see the pipe's log group)",
      namespace: "AWS/EventBridge/Pipes",
      metric_name: "ExecutionFailed",
      dimensions: { PipeName: "${aws_pipes_pipe.order_created_pipe.name}" },
      statistic: "Sum",
      period: 300,
      evaluation_periods: 1,
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      treat_missing_data: "notBreaching",
      alarm_actions: ["${aws_sns_topic.alerts.arn}"],
      ok_actions: ["${aws_sns_topic.alerts.arn}"],
    });
    expect(synth.resource.aws_cloudwatch_metric_alarm?.order_created_pipe_dlq_not_empty).toMatchObject({
      alarm_name: "${aws_sqs_queue.order_created_pipe_dlq.name}-not-empty",
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "${aws_sqs_queue.order_created_pipe_dlq.name}" },
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      alarm_actions: ["${aws_sns_topic.alerts.arn}"],
    });
  });

  it("has its dashboard row: records read, executions and failed executions", () => {
    const body = decodeJsonencode(
      synth.resource.aws_cloudwatch_dashboard?.dashboard?.dashboard_body as string,
    ) as {
      widgets: { x: number; y: number; width: number; properties: { title?: string; metrics?: unknown[] } }[];
    };
    const pipe = "${aws_pipes_pipe.order_created_pipe.name}";
    const row = body.widgets.filter((w) => w.properties.title?.startsWith(`Pipe ${pipe}:`));
    const line = (metric: string, label: string) => [
      "AWS/EventBridge/Pipes",
      metric,
      "PipeName",
      pipe,
      { label },
    ];
    expect(row.map((w) => [w.properties.title, w.x, w.y, w.width, w.properties.metrics])).toEqual([
      [
        `Pipe ${pipe}: records and executions`,
        0,
        26,
        12,
        [line("EventCount", "Records read"), line("Invocations", "Executions")],
      ],
      [`Pipe ${pipe}: failed executions`, 12, 26, 12, [line("ExecutionFailed", "Failed")]],
    ]);
  });

  it("gives the pipe a role only pipes of this account may assume", () => {
    expect(synth.resource.aws_iam_role?.order_created_pipe_role).toMatchObject({
      name: "order-created-dev",
      assume_role_policy: "${data.aws_iam_policy_document.order_created_pipe_assume_role_policy.json}",
    });
    expect(doc("order_created_pipe_assume_role_policy")).toEqual([
      {
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["pipes.amazonaws.com"] }],
        actions: ["sts:AssumeRole"],
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

  it("lets the pipe read this table's stream, put events on this bus, dead-letter and log, nothing else", () => {
    expect(doc("order_created_pipe_policy_document")).toEqual([
      {
        sid: "ReadTableStream",
        effect: "Allow",
        // No ListStreams: it takes no resource, so on the stream ARN it would allow nothing.
        actions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
        resources: ["${aws_dynamodb_table.orders_table.stream_arn}"],
      },
      {
        sid: "PutEventsOnBus",
        effect: "Allow",
        actions: ["events:PutEvents"],
        resources: ["${aws_cloudwatch_event_bus.orders_bus.arn}"],
      },
      {
        sid: "SendFailedRecordsToDeadLetterQueue",
        effect: "Allow",
        actions: ["sqs:SendMessage"],
        resources: ["${aws_sqs_queue.order_created_pipe_dlq.arn}"],
      },
      {
        sid: "WriteOwnLogs",
        effect: "Allow",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: ["${aws_cloudwatch_log_group.order_created_pipe_log_group.arn}:*"],
      },
    ]);
    expect(synth.resource.aws_iam_role_policy_attachment?.order_created_pipe_policy_attachment).toMatchObject(
      {
        role: "${aws_iam_role.order_created_pipe_role.name}",
        policy_arn: "${aws_iam_policy.order_created_pipe_policy.arn}",
      },
    );
  });
});

describe("the OrderCreated rule and its two targets", () => {
  it("matches OrderCreated from orders.service on the orders bus", () => {
    expect(synth.resource.aws_cloudwatch_event_rule?.order_created_rule).toMatchObject({
      name: "order-created-dev",
      event_bus_name: "${aws_cloudwatch_event_bus.orders_bus.name}",
    });
    const rule = synth.resource.aws_cloudwatch_event_rule?.order_created_rule as { event_pattern: string };
    expect(decodeJsonencode(rule.event_pattern)).toEqual({
      source: ["orders.service"],
      "detail-type": ["OrderCreated"],
    });
  });

  it.each([
    ["order_notifications_target", "${aws_sns_topic.order_notifications_topic.arn}"],
    ["order_created_queue_target", "${aws_sqs_queue.order_created_queue.arn}"],
  ])("delivers to %s, retries for at most 1 hour / 10 times, then dead-letters", (target, arn) => {
    expect(synth.resource.aws_cloudwatch_event_target?.[target]).toEqual({
      event_bus_name: "${aws_cloudwatch_event_bus.orders_bus.name}",
      rule: "${aws_cloudwatch_event_rule.order_created_rule.name}",
      target_id: target,
      arn,
      retry_policy: { maximum_event_age_in_seconds: 3600, maximum_retry_attempts: 10 },
      dead_letter_config: { arn: "${aws_sqs_queue.order_created_rule_dlq.arn}" },
    });
  });

  it("dead letters: one SSE queue for the rule, kept 14 days, which only this rule may send to", () => {
    expect(synth.resource.aws_sqs_queue?.order_created_rule_dlq).toEqual({
      name: "order-created-rule-failures-dev",
      sqs_managed_sse_enabled: true,
      message_retention_seconds: 1209600,
    });
    expect(synth.resource.aws_sqs_queue_policy?.order_created_rule_dlq_policy).toEqual({
      queue_url: "${aws_sqs_queue.order_created_rule_dlq.url}",
      policy: "${data.aws_iam_policy_document.order_created_rule_dlq_policy_document.json}",
    });
    expect(doc("order_created_rule_dlq_policy_document")).toEqual([
      {
        sid: "AllowEventRulesToSend",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        actions: ["sqs:SendMessage"],
        resources: ["${aws_sqs_queue.order_created_rule_dlq.arn}"],
        condition: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [RULE_ARN] }],
      },
    ]);
  });

  it("notifications: a topic encrypted with its own key, which EventBridge may use", () => {
    expect(json).toHaveResourceWithProperties(SnsTopic, {
      name: "order-notifications-dev",
      kms_master_key_id: "${aws_kms_key.order_notifications_topic_key.arn}",
    });
    expect(synth.resource.aws_kms_key?.order_notifications_topic_key).toMatchObject({
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      policy: "${data.aws_iam_policy_document.order_notifications_topic_key_policy_document.json}",
    });
    expect(synth.resource.aws_kms_alias?.order_notifications_topic_key_alias).toMatchObject({
      name: "alias/order-notifications-dev",
      target_key_id: "${aws_kms_key.order_notifications_topic_key.key_id}",
    });
    // Which services may use the key; the statements themselves are the Topic test's.
    const statements = doc("order_notifications_topic_key_policy_document") as {
      principals: { type: string; identifiers: string[] }[];
    }[];
    const services = statements.flatMap((s) => s.principals.filter((p) => p.type === "Service"));
    expect(services.flatMap((p) => p.identifiers)).toEqual(["events.amazonaws.com"]);
  });

  it("notifications: the topic policy admits sns:Publish from this rule only", () => {
    expect(synth.resource.aws_sns_topic_policy?.order_notifications_topic_policy).toMatchObject({
      arn: "${aws_sns_topic.order_notifications_topic.arn}",
      policy: "${data.aws_iam_policy_document.order_notifications_topic_policy_document.json}",
    });
    expect(doc("order_notifications_topic_policy_document")).toEqual([
      {
        sid: "AllowEventRulesToPublish",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        actions: ["sns:Publish"],
        resources: ["${aws_sns_topic.order_notifications_topic.arn}"],
        condition: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [RULE_ARN] }],
      },
    ]);
  });

  it("consumers: an SSE queue redriving to its DLQ after 5 receives; only it may redrive there", () => {
    expect(synth.resource.aws_sqs_queue?.order_created_queue).toMatchObject({
      name: "order-created-dev",
      sqs_managed_sse_enabled: true,
      visibility_timeout_seconds: 30,
      // 14 days, SQS's maximum (its default is 4): the queue has no consumer yet, and messages wait for one.
      message_retention_seconds: 1_209_600,
    });
    const queue = synth.resource.aws_sqs_queue?.order_created_queue as { redrive_policy: string };
    expect(decodeJsonencode(queue.redrive_policy)).toEqual({
      deadLetterTargetArn: "${aws_sqs_queue.order_created_queue_dlq.arn}",
      maxReceiveCount: 5,
    });
    expect(synth.resource.aws_sqs_queue?.order_created_queue_dlq).toMatchObject({
      name: "order-created-dlq-dev",
      sqs_managed_sse_enabled: true,
      message_retention_seconds: 1209600,
    });
    const redriveAllow = synth.resource.aws_sqs_queue_redrive_allow_policy
      ?.order_created_queue_dlq_redrive_allow_policy as { queue_url: string; redrive_allow_policy: string };
    expect(redriveAllow.queue_url).toBe("${aws_sqs_queue.order_created_queue_dlq.url}");
    expect(decodeJsonencode(redriveAllow.redrive_allow_policy)).toEqual({
      redrivePermission: "byQueue",
      sourceQueueArns: ["${aws_sqs_queue.order_created_queue.arn}"],
    });
    expect(json).toHaveResourceWithProperties(SqsQueue, { name: "order-created-dlq-dev" });
  });

  it("consumers: the queue policy admits sqs:SendMessage from this rule only", () => {
    expect(synth.resource.aws_sqs_queue_policy?.order_created_queue_policy).toMatchObject({
      queue_url: "${aws_sqs_queue.order_created_queue.url}",
      policy: "${data.aws_iam_policy_document.order_created_queue_policy_document.json}",
    });
    expect(doc("order_created_queue_policy_document")).toEqual([
      {
        sid: "AllowEventRulesToSend",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        actions: ["sqs:SendMessage"],
        resources: ["${aws_sqs_queue.order_created_queue.arn}"],
        condition: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [RULE_ARN] }],
      },
    ]);
  });

  it("names only this stack's resources in every policy", () => {
    const own = new Set(addresses(synth));
    for (const [name, document] of Object.entries(synth.data.aws_iam_policy_document ?? {})) {
      const refs = JSON.stringify(document.statement).match(/\$\{([a-z0-9_.]+)\}/g) ?? [];
      for (const ref of refs) {
        const address = ref.slice(2, -1).split(".").slice(0, -1).join(".");
        expect({ name, address, own: own.has(address) }).toEqual({ name, address, own: true });
      }
    }
  });
});

describe("outputs", () => {
  it("gives the API URL, the bus name, the topic ARN and the queue URL", () => {
    expect(Object.fromEntries(Object.entries(synth.output).map(([k, v]) => [k, v.value]))).toEqual({
      orders_api_url: "${aws_api_gateway_stage.orders_api_stage.invoke_url}/orders",
      orders_bus_name: "${aws_cloudwatch_event_bus.orders_bus.name}",
      order_notifications_topic_arn: "${aws_sns_topic.order_notifications_topic.arn}",
      order_created_queue_url: "${aws_sqs_queue.order_created_queue.url}",
    });
  });
});

/** Renders a Pipes input template against one record, as Pipes does: each `<$.path>` gets the value. */
function render(template: string, record: unknown): string {
  return template.replace(/<\$\.([A-Za-z0-9_.]+)>/g, (_m, path: string) => {
    const value = path.split(".").reduce<unknown>((v, key) => (v as Record<string, unknown>)?.[key], record);
    if (typeof value !== "string") throw new Error(`No string at $.${path}`);
    return value;
  });
}

/** Matches the exact-value subset of EventBridge patterns our filters use. */
function matches(pattern: unknown, event: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.includes(event);
  return Object.entries(pattern as Record<string, unknown>).every(([key, sub]) =>
    matches(sub, (event as Record<string, unknown> | undefined)?.[key]),
  );
}

describe("the pipe's filter and template against stream records", () => {
  const record = (eventName: string, image: Record<string, unknown>) => ({
    eventID: "1",
    eventName,
    eventSource: "aws:dynamodb",
    dynamodb: { Keys: { order_id: image.order_id }, NewImage: image, StreamViewType: "NEW_IMAGE" },
  });
  const orderImage = {
    order_id: { S: "3f1c2b9e-8d7a-4c6b-9e5f-0a1b2c3d4e5f" },
    record_type: { S: "ORDER" },
    status: { S: "CREATED" },
    customer_id: { S: "c-1" },
    items: { L: [{ M: { sku: { S: "book-1" }, quantity: { N: "2" }, unit_price_cents: { N: "1299" } } }] },
    item_count: { N: "1" },
    total_cents: { N: "2598" },
    created_at: { S: "2025-01-31T12:00:00.000Z" },
  };
  const idempotencyImage = {
    order_id: { S: "IDEMPOTENCY#key-1" },
    record_type: { S: "IDEMPOTENCY" },
    request_hash: { S: "ab" },
    order_ref: { S: "3f1c2b9e-8d7a-4c6b-9e5f-0a1b2c3d4e5f" },
    created_at: { S: "2025-01-31T12:00:00.000Z" },
    expires_at: { N: "1738411200" },
  };
  const filter = () => {
    const pipe = synth.resource.aws_pipes_pipe?.order_created_pipe as {
      source_parameters: { filter_criteria: { filter: { pattern: string }[] } };
    };
    return pipe.source_parameters.filter_criteria.filter.map((f) => decodeJsonencode(f.pattern));
  };

  it("lets through the INSERT of an order, and nothing else", () => {
    const pass = (r: unknown) => filter().some((pattern) => matches(pattern, r));
    expect(pass(record("INSERT", orderImage))).toBe(true);
    expect(pass(record("INSERT", idempotencyImage))).toBe(false);
    expect(pass(record("MODIFY", orderImage))).toBe(false);
    expect(pass(record("REMOVE", idempotencyImage))).toBe(false);
  });

  it("renders an order's NewImage as the documented OrderCreated detail, numbers as numbers", () => {
    expect(JSON.parse(render(ORDER_CREATED_INPUT_TEMPLATE, record("INSERT", orderImage)))).toEqual({
      order_id: "3f1c2b9e-8d7a-4c6b-9e5f-0a1b2c3d4e5f",
      customer_id: "c-1",
      total_cents: 2598,
      item_count: 1,
      created_at: "2025-01-31T12:00:00.000Z",
    });
  });
});

describe("TableStreamPipe", () => {
  it("refuses a table without a stream", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const table = new Table(stack, "plain_table", {
      name: "plain",
      environment: "dev",
      hashKey: { name: "id", type: "S" },
    });
    const bus = new EventBus(stack, "bus", { name: "bus", environment: "dev" });
    expect(
      () =>
        new TableStreamPipe(stack, "pipe", {
          name: "pipe-dev",
          table,
          eventBus: bus,
          detailType: "X",
          eventSource: "x",
        }),
    ).toThrow("pipe: table plain_table has no stream; set its streamViewType");
  });

  /** A pipe of its own stack, with the caller's `options`. */
  function customPipe(options: Partial<TableStreamPipeProps> = {}) {
    const stack = new TerraformStack(Testing.app(), "test");
    const table = new Table(stack, "stream_table", {
      name: "stream",
      environment: "dev",
      hashKey: { name: "id", type: "S" },
      streamViewType: "NEW_IMAGE",
    });
    const bus = new EventBus(stack, "bus", { name: "bus", environment: "dev" });
    new TableStreamPipe(stack, "custom_pipe", {
      name: "custom-dev",
      table,
      eventBus: bus,
      detailType: "X",
      eventSource: "x",
      ...options,
    });
    return stack;
  }

  it("takes the caller's wait between a new stream and the pipe; 0 waits not at all", () => {
    const attachment = (streamSettleSeconds: number) =>
      synthesize(customPipe({ streamSettleSeconds })).resource.aws_iam_role_policy_attachment
        ?.custom_pipe_policy_attachment;
    const newStream = { replace_triggered_by: ["aws_dynamodb_table.stream_table.stream_arn"] };
    expect(attachment(30)).toMatchObject({
      provisioner: [{ "local-exec": { command: 'node -e "setTimeout(() => {}, 30000)"' } }],
      lifecycle: newStream,
    });
    expect(attachment(0)).not.toHaveProperty("provisioner");
    expect(attachment(0)).toMatchObject({ lifecycle: newStream });
    expect(() => customPipe({ streamSettleSeconds: 1.5 })).toThrow(
      "custom_pipe: streamSettleSeconds must be an integer of at least 0, got 1.5",
    );
  });

  it("takes the caller's retry bounds and log retention", () => {
    const stack = customPipe({ maximumRetryAttempts: 3, maximumRecordAgeSeconds: -1, logRetentionDays: 30 });
    const custom = synthesize(stack).resource;
    expect(custom.aws_pipes_pipe?.custom_pipe?.source_parameters).toEqual({
      dynamodb_stream_parameters: {
        starting_position: "LATEST",
        batch_size: 1,
        maximum_retry_attempts: 3,
        maximum_record_age_in_seconds: -1,
        on_partial_batch_item_failure: "AUTOMATIC_BISECT",
        dead_letter_config: { arn: "${aws_sqs_queue.custom_pipe_dlq.arn}" },
      },
    });
    expect(custom.aws_cloudwatch_log_group?.custom_pipe_log_group).toEqual({
      name: "/aws/vendedlogs/pipes/custom-dev",
      retention_in_days: 30,
    });
  });
});

describe("API protection", () => {
  it("checks the POST body against the CreateOrder draft-04 model before the function runs", () => {
    expect(synth.resource.aws_api_gateway_method?.create_order_request_method).toMatchObject({
      request_validator_id: "${aws_api_gateway_request_validator.orders_api_request_validator.id}",
      request_models: { "application/json": "${aws_api_gateway_model.create_order_request_model.name}" },
    });
    expect(synth.resource.aws_api_gateway_method?.get_order_request_method).not.toHaveProperty(
      "request_models",
    );
    const model = synth.resource.aws_api_gateway_model?.create_order_request_model as Record<string, string>;
    expect(model).toMatchObject({ name: "CreateOrder", content_type: "application/json" });
    const reference = { type: "string", pattern: "^[A-Za-z0-9_.:@+-]{1,128}$" };
    expect(decodeJsonencode(model.schema as string)).toEqual({
      $schema: "http://json-schema.org/draft-04/schema#",
      title: "CreateOrder",
      type: "object",
      properties: {
        customer_id: reference,
        items: {
          type: "array",
          minItems: 1,
          maxItems: 100,
          items: {
            type: "object",
            properties: {
              sku: reference,
              quantity: { type: "integer", minimum: 1 },
              unit_price_cents: { type: "integer", minimum: 0 },
            },
            required: ["sku", "quantity", "unit_price_cents"],
            additionalProperties: false,
          },
        },
      },
      required: ["customer_id", "items"],
      additionalProperties: false,
    });
    expect(reference.pattern).toBe(REFERENCE_PATTERN.source);
    expect(MAX_ORDER_ITEMS).toBe(100);
  });

  it("throttles every method and writes JSON access logs, from the environment config", () => {
    expect(synth.resource.aws_api_gateway_method_settings?.orders_api_method_settings).toMatchObject({
      method_path: "*/*",
      settings: { metrics_enabled: true, throttling_rate_limit: 50, throttling_burst_limit: 100 },
    });
    expect(synth.resource.aws_cloudwatch_log_group?.orders_api_access_logs).toMatchObject({
      name: "/aws/apigateway/orders_api-dev/access-logs",
      retention_in_days: 14,
    });
  });
});

describe("messages waiting for a consumer", () => {
  it("alarms when the oldest message of order-created has waited 7 days, half of what SQS keeps it", () => {
    expect(synth.resource.aws_cloudwatch_metric_alarm?.order_created_queue_oldest_message_age).toEqual({
      alarm_name: "${aws_sqs_queue.order_created_queue.name}-oldest-message-age",
      alarm_description:
        "${aws_sqs_queue.order_created_queue.name}: a message has waited over 7 days for a consumer; SQS deletes it unread at 14 days",
      namespace: "AWS/SQS",
      metric_name: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: "${aws_sqs_queue.order_created_queue.name}" },
      statistic: "Maximum",
      period: 300,
      evaluation_periods: 1,
      threshold: 604_800,
      comparison_operator: "GreaterThanThreshold",
      treat_missing_data: "notBreaching",
      alarm_actions: ["${aws_sns_topic.alerts.arn}"],
      ok_actions: ["${aws_sns_topic.alerts.arn}"],
    });
  });
});

describe("dead letters", () => {
  it("alarms as soon as the OrderCreated rule's DLQ holds a message", () => {
    expect(synth.resource.aws_cloudwatch_metric_alarm?.order_created_rule_dlq_not_empty).toMatchObject({
      alarm_name: "${aws_sqs_queue.order_created_rule_dlq.name}-not-empty",
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "${aws_sqs_queue.order_created_rule_dlq.name}" },
      statistic: "Maximum",
      period: 60,
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      alarm_actions: ["${aws_sns_topic.alerts.arn}"],
    });
  });

  it("alarms as soon as the order-created DLQ holds a message", () => {
    expect(synth.resource.aws_cloudwatch_metric_alarm?.order_created_queue_dlq_not_empty).toMatchObject({
      alarm_name: "${aws_sqs_queue.order_created_queue_dlq.name}-not-empty",
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "${aws_sqs_queue.order_created_queue_dlq.name}" },
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      alarm_actions: ["${aws_sns_topic.alerts.arn}"],
    });
  });
});
