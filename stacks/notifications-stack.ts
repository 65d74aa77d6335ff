import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { BundledFunction } from "../constructs/bundled-function";
import { ruleOnBus, type EventRule } from "../constructs/event-bus";
import { physicalName } from "../constructs/core/naming";
import { Queue } from "../constructs/queue";
import { LinkedValue } from "../constructs/service-link";
import { Table } from "../constructs/table";
import { Topic } from "../constructs/topic";
import { NOTIFICATION_KEY } from "../lambdas/notify/contract";
import { ORDER_CREATED_EVENT_PATTERN } from "../lambdas/orders/contract";
import type { EnvironmentConfig } from "./config";
import { ORDERS_BUS_NAME_LINK } from "./orders-stack";
import { ServiceStack } from "./service-stack";

export interface NotificationsStackProps {
  readonly config: EnvironmentConfig;
}

/**
 * How much longer than the function's timeout a received message stays invisible: AWS's advice for SQS
 * event sources (six times the timeout), so a batch retried after throttling is not received again while
 * its first invocation still runs.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/**
 * The notification service of the serverless-microservices design: it reacts to the orders service's
 * `OrderCreated` events with a rule of its own on the orders bus (whose name it reads from the orders
 * service's link, so `orders-<env>` deploys first), and tells the customer.
 *
 *   orders bus ──rule notify-order-created──▶ notify queue ──event source mapping──▶ notify
 *   (named by the link             (+ rule DLQ)        (+ DLQ after                 ├─▶ notifications table
 *    /movies-cdktf/<env>/orders/bus-name)                maxReceiveCount)            └─▶ customer-notifications topic
 *
 * Each event becomes one record (PENDING, then SENT) and one message, however often SQS delivers it
 * (lambdas/notify/notifications.ts). A delivery the rule cannot make goes to the rule's DLQ; a message
 * the function fails `notifications.maxReceiveCount` times goes to the queue's DLQ; both alarm at once,
 * as do the queue's oldest message age and the function's errors (the stack's Monitoring).
 */
export class NotificationsStack extends ServiceStack {
  readonly notifications: Table;
  readonly topic: Topic;
  readonly queue: Queue;
  readonly rule: EventRule;
  readonly notifyFunction: BundledFunction;

  constructor(scope: Construct, id: string, props: NotificationsStackProps) {
    super(scope, id, { config: props.config, service: "notifications" });
    const { environment, lambda, logRetentionDays, data, notifications } = props.config;

    const ordersBus = new LinkedValue(this, "orders_bus_name", {
      environment,
      service: "orders",
      name: ORDERS_BUS_NAME_LINK,
    });

    this.notifications = new Table(this, "notifications_table", {
      name: "notifications",
      environment,
      hashKey: { name: NOTIFICATION_KEY, type: "S" },
      deletionProtection: data.retain,
      preventDestroy: data.retain,
    });
    // Nothing but the function publishes: no AWS service needs the key.
    this.topic = new Topic(this, "customer_notifications_topic", {
      name: "customer-notifications",
      environment,
      publishingServices: [],
    });
    this.queue = new Queue(this, "notify_queue", {
      name: "notify",
      environment,
      maxReceiveCount: notifications.maxReceiveCount,
      visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_FACTOR * lambda.timeout,
      maxMessageAgeSeconds: notifications.maxMessageAgeSeconds,
    });
    this.rule = ruleOnBus(
      this,
      "notify_order_created_rule",
      { busName: ordersBus.value, environment },
      {
        name: "notify-order-created",
        description: "Every OrderCreated of the orders service, for the notifications service",
        eventPattern: ORDER_CREATED_EVENT_PATTERN,
      },
    );
    this.rule.addTarget("notify_queue_target", this.queue);

    this.notifyFunction = new BundledFunction(this, "notify_lambda", {
      memorySize: lambda.memorySize,
      timeout: lambda.timeout,
      reservedConcurrency: lambda.reservedConcurrency,
      logRetentionDays,
      entry: "lambdas/notify/index.ts",
      functionName: physicalName("notify", environment),
      description: "Notifies the customer of each OrderCreated, once per event",
    });
    // PutItem: the PENDING record (conditional); GetItem: a redelivery reads it; UpdateItem: lease, SENT.
    this.notifyFunction.grantTable(this.notifications, "NOTIFICATIONS_TABLE", [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
    ]);
    this.notifyFunction.grantTopicPublish(this.topic, "NOTIFICATIONS_TOPIC_ARN");
    this.notifyFunction.addSqsEventSource("notify_queue_event_source", this.queue, {
      batchSize: notifications.batchSize,
    });

    new TerraformOutput(this, "notifications_table_name", { value: this.notifications.tableName });
    new TerraformOutput(this, "customer_notifications_topic_arn", {
      description: "Subscribe the customer-facing channels here (filter on the channel attribute)",
      value: this.topic.topicArn,
    });
    new TerraformOutput(this, "notify_queue_url", { value: this.queue.queueUrl });
  }
}
