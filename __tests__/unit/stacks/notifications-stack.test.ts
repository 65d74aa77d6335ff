import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Testing } from "cdktf";
import { decodeJsonencode } from "../../../tooling/hcl-expression";
import { loadConfig } from "../../../stacks/config";
import { NotificationsStack } from "../../../stacks/notifications-stack";
import {
  addressList,
  bundledFunction,
  eventRule,
  queue,
  serviceStack,
  table,
  topic,
} from "../../helpers/addresses";
import { addresses, stackFile, synthesize, synthesized, type SynthesizedStack } from "../../helpers/synth";

let synth: SynthesizedStack;

beforeAll(() => {
  synth = synthesized("notifications-dev");
});

const doc = (name: string) => synth.data.aws_iam_policy_document?.[name]?.statement;
const BUS = "${data.aws_ssm_parameter.orders_bus_name.value}";
const RULE_ARN = "${aws_cloudwatch_event_rule.notify_order_created_rule.arn}";
const QUEUE_ARN = "${aws_sqs_queue.notify_queue.arn}";

describe("readable, stable Terraform", () => {
  it("names every address after what it is, in snake_case", () => {
    expect(addresses(synth)).toEqual(
      addressList(
        serviceStack(),
        ["data.aws_ssm_parameter.orders_bus_name"],
        table("notifications_table"),
        topic("customer_notifications_topic"),
        queue("notify_queue", { ruleTarget: true }),
        eventRule("notify_order_created_rule", ["notify_queue_target"]),
        bundledFunction("notify_lambda", { batch: true }),
        ["aws_lambda_event_source_mapping.notify_queue_event_source"],
      ),
    );
  });

  it("tags every resource as the notifications service, with its own state key", () => {
    expect((synth.terraform.backend as { s3: { key: string } }).s3.key).toBe(
      "notifications/notifications-dev.tfstate",
    );
    expect(JSON.parse(synth.json).provider.aws[0].default_tags[0].tags.service).toBe("notifications");
  });
});

describe("the orders bus, through the orders service's link", () => {
  it("reads the bus's name from the parameter the orders stack of the same environment publishes", () => {
    expect(synth.data.aws_ssm_parameter?.orders_bus_name).toEqual({
      name: "/movies-cdktf/dev/orders/bus-name",
    });
    expect(synthesized("orders-dev").resource.aws_ssm_parameter?.orders_bus_name_link).toMatchObject({
      name: "/movies-cdktf/dev/orders/bus-name",
      type: "String",
      value: "${aws_cloudwatch_event_bus.orders_bus.name}",
    });
  });

  it("is deployed after orders: cdktf's manifest makes each notifications stack depend on its orders stack", () => {
    const outdir = dirname(dirname(stackFile("notifications-dev", ".")));
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
      stacks: Record<string, { dependencies: string[] }>;
    };
    for (const env of ["dev", "staging", "prod"]) {
      expect(manifest.stacks[`notifications-${env}`]?.dependencies).toEqual([`orders-${env}`]);
    }
  });
});

describe("OrderCreated: orders bus ──rule──▶ notify queue", () => {
  it("matches every OrderCreated of orders.service, with a rule of its own on the orders bus", () => {
    const rule = synth.resource.aws_cloudwatch_event_rule?.notify_order_created_rule as Record<
      string,
      string
    >;
    expect(rule).toMatchObject({ name: "notify-order-created-dev", event_bus_name: BUS });
    expect(decodeJsonencode(rule.event_pattern as string)).toEqual({
      source: ["orders.service"],
      "detail-type": ["OrderCreated"],
    });
  });

  it("delivers to the queue, retrying for at most 1 hour / 10 times, then to the rule's DLQ", () => {
    expect(synth.resource.aws_cloudwatch_event_target?.notify_queue_target).toEqual({
      event_bus_name: BUS,
      rule: "${aws_cloudwatch_event_rule.notify_order_created_rule.name}",
      target_id: "notify_queue_target",
      arn: QUEUE_ARN,
      retry_policy: { maximum_event_age_in_seconds: 3600, maximum_retry_attempts: 10 },
      dead_letter_config: { arn: "${aws_sqs_queue.notify_order_created_rule_dlq.arn}" },
    });
  });

  it("queue policy: only this rule may send, only sqs:SendMessage, only to this queue", () => {
    expect(synth.resource.aws_sqs_queue_policy?.notify_queue_policy).toEqual({
      queue_url: "${aws_sqs_queue.notify_queue.url}",
      policy: "${data.aws_iam_policy_document.notify_queue_policy_document.json}",
    });
    expect(doc("notify_queue_policy_document")).toEqual([
      {
        sid: "AllowEventRulesToSend",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        actions: ["sqs:SendMessage"],
        resources: [QUEUE_ARN],
        condition: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [RULE_ARN] }],
      },
    ]);
    expect(doc("notify_order_created_rule_dlq_policy_document")).toMatchObject([
      { actions: ["sqs:SendMessage"], condition: [{ values: [RULE_ARN] }] },
    ]);
  });

  it("sends a message received maxReceiveCount times to the queue's DLQ; hides a received one 6 × the timeout", () => {
    const notifyQueue = synth.resource.aws_sqs_queue?.notify_queue as Record<string, unknown>;
    expect(notifyQueue).toMatchObject({ name: "notify-dev", visibility_timeout_seconds: 60 });
    expect(decodeJsonencode(notifyQueue.redrive_policy as string)).toEqual({
      deadLetterTargetArn: "${aws_sqs_queue.notify_queue_dlq.arn}",
      maxReceiveCount: 5,
    });
  });

  it("takes maxReceiveCount, the batch size and the age alarm from the environment's config", () => {
    const config = loadConfig("dev", {});
    const custom = synthesize(
      new NotificationsStack(Testing.app(), "notifications-dev", {
        config: { ...config, notifications: { maxReceiveCount: 3, batchSize: 4, maxMessageAgeSeconds: 120 } },
      }),
    );
    const redrive = decodeJsonencode(custom.resource.aws_sqs_queue?.notify_queue?.redrive_policy as string);
    expect(redrive).toMatchObject({ maxReceiveCount: 3 });
    expect(custom.resource.aws_lambda_event_source_mapping?.notify_queue_event_source).toMatchObject({
      batch_size: 4,
    });
    expect(custom.resource.aws_cloudwatch_metric_alarm?.notify_queue_oldest_message_age).toMatchObject({
      threshold: 120,
    });
  });
});

describe("notify queue ──event source mapping──▶ notify", () => {
  it("feeds the live alias in batches, with partial batch responses, once the role may read the queue", () => {
    expect(synth.resource.aws_lambda_event_source_mapping?.notify_queue_event_source).toEqual({
      event_source_arn: QUEUE_ARN,
      function_name: "${aws_lambda_alias.notify_lambda_live.arn}",
      batch_size: 10,
      function_response_types: ["ReportBatchItemFailures"],
      depends_on: ["aws_iam_role_policy_attachment.notify_lambda_policy_attachment"],
    });
  });

  it("IAM: exactly the table, topic, key and queue actions the code and the mapping use", () => {
    expect(doc("notify_lambda_policy_document")).toEqual([
      {
        sid: "WriteOwnLogs",
        effect: "Allow",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: ["${aws_cloudwatch_log_group.notify_lambda_log_group.arn}:*"],
      },
      {
        sid: "WriteTraces",
        effect: "Allow",
        actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        resources: ["*"],
      },
      {
        effect: "Allow",
        actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        resources: ["${aws_dynamodb_table.notifications_table.arn}"],
      },
      {
        effect: "Allow",
        actions: ["sns:Publish"],
        resources: ["${aws_sns_topic.customer_notifications_topic.arn}"],
      },
      {
        effect: "Allow",
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: ["${aws_kms_key.customer_notifications_topic_key.arn}"],
      },
      {
        effect: "Allow",
        actions: ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
        resources: [QUEUE_ARN],
      },
    ]);
  });

  it("tells the function its table and topic", () => {
    const fn = synth.resource.aws_lambda_function?.notify_lambda as { environment: { variables: object } };
    expect(fn.environment.variables).toMatchObject({
      NOTIFICATIONS_TABLE: "${aws_dynamodb_table.notifications_table.name}",
      NOTIFICATIONS_TOPIC_ARN: "${aws_sns_topic.customer_notifications_topic.arn}",
    });
  });

  it("keeps notifications in a table keyed by event id, protected in staging and prod", () => {
    expect(synth.resource.aws_dynamodb_table?.notifications_table).toMatchObject({
      name: "notifications-dev",
      hash_key: "event_id",
      deletion_protection_enabled: false,
    });
    expect(synthesized("notifications-prod").resource.aws_dynamodb_table?.notifications_table).toMatchObject({
      deletion_protection_enabled: true,
      lifecycle: { prevent_destroy: true },
    });
  });

  it("publishes to a topic under its own key, which no AWS service is granted (only the function publishes)", () => {
    const keyPolicy = doc("customer_notifications_topic_key_policy_document") as { sid: string }[];
    expect(keyPolicy.map((s) => s.sid)).toEqual(["AccountAdministersKey"]);
  });
});

describe("alarms", () => {
  const alarm = (name: string) => synth.resource.aws_cloudwatch_metric_alarm?.[name];

  it("as soon as the queue's DLQ (poison messages) or the rule's DLQ holds a message", () => {
    expect(alarm("notify_queue_dlq_not_empty")).toMatchObject({
      dimensions: { QueueName: "${aws_sqs_queue.notify_queue_dlq.name}" },
      metric_name: "ApproximateNumberOfMessagesVisible",
      threshold: 0,
    });
    expect(alarm("notify_order_created_rule_dlq_not_empty")).toMatchObject({
      dimensions: { QueueName: "${aws_sqs_queue.notify_order_created_rule_dlq.name}" },
    });
  });

  it("when the queue's oldest message has waited over 15 minutes: notify is behind", () => {
    expect(alarm("notify_queue_oldest_message_age")).toMatchObject({
      metric_name: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: "${aws_sqs_queue.notify_queue.name}" },
      threshold: 900,
      alarm_description:
        "${aws_sqs_queue.notify_queue.name}: a message has waited over 15 minutes for a consumer; SQS deletes it unread at 14 days",
    });
  });

  it("on the function's Errors, and on its ERROR lines (a failed record of a batch is no Lambda error)", () => {
    expect(alarm("notify_lambda_errors")).toMatchObject({ metric_name: "Errors", namespace: "AWS/Lambda" });
    expect(alarm("notify_lambda_error_logs")).toMatchObject({
      metric_name: "ErrorLogLines",
      namespace: "notifications-dev",
      alarm_description:
        "${aws_lambda_function.notify_lambda.function_name}: ERROR log lines (records of a batch it failed) in the last 5 minutes",
    });
  });
});
