import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { BundledFunction } from "../constructs/bundled-function";
import { EventBus } from "../constructs/event-bus";
import { physicalName } from "../constructs/core/naming";
import { Queue } from "../constructs/queue";
import { RestApi } from "../constructs/rest-api";
import { PublishedLink } from "../constructs/service-link";
import { Table } from "../constructs/table";
import { TableStreamPipe } from "../constructs/table-stream-pipe";
import { Topic } from "../constructs/topic";
import {
  CUSTOMER_SOURCE_VARIABLE,
  ORDER_CREATED_DETAIL_TYPE,
  ORDER_CREATED_FILTER_PATTERN,
  ORDER_CREATED_INPUT_TEMPLATE,
  ORDERS_EVENT_SOURCE,
} from "../lambdas/orders/contract";
import type { EnvironmentConfig } from "./config";
import { writeRoutesAuthorizer } from "./auth-stack";
import { CREATE_ORDER_MODEL, CREATE_OWN_ORDER_MODEL } from "./orders-models";
import { ServiceStack } from "./service-stack";

/** The service link (`/movies-cdktf/<env>/orders/bus-name`) that names the orders bus for its subscribers. */
export const ORDERS_BUS_NAME_LINK = "bus-name";

export interface OrdersStackProps {
  readonly config: EnvironmentConfig;
}

/**
 * The order service of the serverless-microservices design that accompanies the workshop: its own API,
 * table and state, announcing each stored order as an `OrderCreated` event on its own bus.
 *
 * With `auth: "cognito"` both routes need a token of the environment's user pool (the auth stack), and
 * an order belongs to the token's user.
 *
 *   POST /orders ──▶ orders ──▶ orders table ──stream──▶ pipe (INSERT of an ORDER) ──▶ orders bus
 *   GET  /orders/{orderId} ─┘                                                            │
 *                                       rule OrderCreated ──▶ order-notifications topic ◀┤
 *                                                          └─▶ order-created queue (+ DLQ)
 *
 * Nothing is dropped silently: a record the pipe cannot publish goes to the pipe's DLQ, an event the
 * rule cannot deliver to a target goes to the rule's DLQ, and each DLQ alarms as soon as it holds one.
 */
export class OrdersStack extends ServiceStack {
  readonly orders: Table;
  readonly ordersFunction: BundledFunction;
  readonly api: RestApi;
  readonly bus: EventBus;
  readonly pipe: TableStreamPipe;
  readonly notifications: Topic;
  readonly queue: Queue;

  constructor(scope: Construct, id: string, props: OrdersStackProps) {
    super(scope, id, { config: props.config, service: "orders" });
    const { environment, lambda, logRetentionDays, data } = props.config;

    // Orders and their idempotency items (`IDEMPOTENCY#<key>`, expiring through TTL) share one table;
    // in staging and prod no plan may destroy it.
    this.orders = new Table(this, "orders_table", {
      name: "orders",
      environment,
      hashKey: { name: "order_id", type: "S" },
      streamViewType: "NEW_IMAGE",
      timeToLiveAttribute: "expires_at",
      deletionProtection: data.retain,
      preventDestroy: data.retain,
    });

    this.ordersFunction = new BundledFunction(this, "orders_lambda", {
      memorySize: lambda.memorySize,
      timeout: lambda.timeout,
      reservedConcurrency: lambda.reservedConcurrency,
      logRetentionDays,
      entry: "lambdas/orders/index.ts",
      functionName: physicalName("orders", environment),
      description: "POST /orders and GET /orders/{orderId}",
      // Behind a Cognito authorizer, an order belongs to the signed-in user (the token's sub).
      ...(props.config.auth === "cognito" ? { environment: { [CUSTOMER_SOURCE_VARIABLE]: "token" } } : {}),
    });
    // PutItem: the order (alone, or in a transaction with its idempotency item); GetItem: reads.
    this.ordersFunction.grantTable(this.orders, "ORDERS_TABLE", ["dynamodb:GetItem", "dynamodb:PutItem"]);

    this.api = this.addApi(props.config);

    this.bus = new EventBus(this, "orders_bus", { name: "orders", environment });
    this.pipe = new TableStreamPipe(this, "order_created_pipe", {
      name: physicalName("order-created", environment),
      description: "Announces each order stored in the orders table as OrderCreated",
      table: this.orders,
      eventBus: this.bus,
      filterPatterns: [ORDER_CREATED_FILTER_PATTERN],
      inputTemplate: ORDER_CREATED_INPUT_TEMPLATE,
      detailType: ORDER_CREATED_DETAIL_TYPE,
      eventSource: ORDERS_EVENT_SOURCE,
      logRetentionDays,
    });

    this.notifications = new Topic(this, "order_notifications_topic", {
      name: "order-notifications",
      environment,
    });
    this.queue = new Queue(this, "order_created_queue", { name: "order-created", environment });
    const orderCreated = this.bus.addRule("order_created_rule", {
      name: "order-created",
      description: "Every OrderCreated of the orders service",
      eventPattern: { source: [ORDERS_EVENT_SOURCE], "detail-type": [ORDER_CREATED_DETAIL_TYPE] },
    });
    orderCreated.addTarget("order_notifications_target", this.notifications);
    orderCreated.addTarget("order_created_queue_target", this.queue);

    this.publishLinks(environment);
    new TerraformOutput(this, "orders_api_url", {
      description: "Base URL of the orders resource",
      value: `${this.api.invokeUrl}/orders`,
    });
    new TerraformOutput(this, "orders_bus_name", {
      description: "The bus OrderCreated events are published on",
      value: this.bus.busName,
    });
    new TerraformOutput(this, "order_notifications_topic_arn", { value: this.notifications.topicArn });
    new TerraformOutput(this, "order_created_queue_url", { value: this.queue.queueUrl });
  }

  /**
   * The REST API: `POST /orders` and `GET /orders/{orderId}`. With `auth: "cognito"` both need a token
   * of the environment's user pool, and the body model names no customer (the token does).
   */
  private addApi(config: EnvironmentConfig): RestApi {
    const { environment, stageName, apiThrottling, logRetentionDays } = config;
    const api = new RestApi(this, "orders_api", {
      name: physicalName("orders_api", environment),
      description: "The orders service",
      stageName,
      throttling: apiThrottling,
      accessLogRetentionDays: logRetentionDays,
    });
    const orders = api.addResource("orders_resource", api.root, "orders");
    const order = api.addResource("order_resource", orders, "{orderId}");
    const authorizer = writeRoutesAuthorizer(this, api, config);
    api.addLambdaRoute("create_order_request", orders, "POST", this.ordersFunction, {
      requestModel: authorizer ? CREATE_OWN_ORDER_MODEL : CREATE_ORDER_MODEL,
      ...(authorizer ? { authorizer } : {}),
    });
    api.addLambdaRoute("get_order_request", order, "GET", this.ordersFunction, {
      ...(authorizer ? { authorizer } : {}),
    });
    return api;
  }

  /** The values other services of the environment read (tooling/service-links.ts). */
  private publishLinks(environment: string): void {
    // The notifications service subscribes to OrderCreated with a rule of its own on this bus.
    new PublishedLink(this, "orders_bus_name_link", {
      environment,
      service: "orders",
      name: ORDERS_BUS_NAME_LINK,
      value: this.bus.busName,
      description: "The bus the orders service publishes OrderCreated on; subscribers add their rules to it",
    });
  }
}
