import { Construct, type IConstruct } from "constructs";
import { Lazy, TerraformStack } from "cdktf";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmConfig,
} from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { DashboardBuilder, graph, text, type MetricSpec, type Widget } from "./dashboard";
import { callerIdentity } from "../constructs/core/iam";
import { physicalName, tfName } from "../constructs/core/naming";
import { Topic } from "../constructs/topic";

export interface MonitoringProps {
  /** The environment (`dev`): names the topic `<service>-alerts-<env>` and the dashboard `<service>-<env>`. */
  readonly environment: string;
  /** The service (`movies`): names the dashboard and the namespace of log-derived metrics. */
  readonly service: string;
  /**
   * The region the dashboard's widgets read metrics from.
   * @default the provider's region (`data.aws_region.current_region`)
   */
  readonly region?: string;
  /**
   * Subscribes this address to the alerts topic (it must confirm the subscription).
   * @default no subscription
   */
  readonly alarmEmail?: string;
  /**
   * p99 latency of an API stage above which its latency alarm fires, in milliseconds.
   * @default 2000 ms
   */
  readonly apiLatencyP99ThresholdMs?: number;
}

/** A function to watch: Errors, Throttles, invocations, duration, concurrency. */
export interface WatchedFunction {
  /** The Terraform name its resources derive from (`get_movie_lambda`). */
  readonly terraformName: string;
  readonly functionName: string;
}

/** An API stage to watch: 5XXError, p99 Latency, requests and 4xx. */
export interface WatchedApi {
  readonly terraformName: string;
  readonly apiName: string;
  readonly stageName: string;
}

/** A table to watch: consumed capacity and throttle events. */
export interface WatchedTable {
  readonly terraformName: string;
  readonly tableName: string;
}

/** A queue that must stay empty (a failure destination, a dead-letter queue). */
export interface WatchedQueue {
  readonly terraformName: string;
  readonly queueName: string;
}

/** An EventBridge Pipe to watch: failed executions. */
export interface WatchedPipe {
  readonly terraformName: string;
  readonly pipeName: string;
}

/** Counts derived from a function's structured log lines. */
export interface LogMetricsOptions {
  /** Title of the dashboard widget. */
  readonly title: string;
  /** The CloudWatch Logs filter pattern of the lines (`{ $.message = "ingested movie infos" }`). */
  readonly filterPattern: string;
  /** Metric name (`RowsWritten`) → the numeric field of the line it sums (`$.written`). */
  readonly metrics: Readonly<Record<string, string>>;
}

/** The alarm fields every alarm of this construct sets the same way. */
type AlarmSpec = Omit<CloudwatchMetricAlarmConfig, "alarmActions" | "okActions" | "alarmName"> & {
  readonly alarmName: string;
};

const MONITORING_ID = "monitoring";
const FIVE_MINUTES = 300;

/** The shape of our count alarms: any occurrence in five minutes fires; no data is no problem. */
const ANY_IN_FIVE_MINUTES = {
  statistic: "Sum",
  period: FIVE_MINUTES,
  evaluationPeriods: 1,
  threshold: 1,
  comparisonOperator: "GreaterThanOrEqualToThreshold",
  treatMissingData: "notBreaching",
} as const;

/**
 * Alarms, an alerts topic and a dashboard for one stack, fed by the constructs themselves:
 * `BundledFunction`, `RestApi`, `Table` and `FailureQueue` register what they create with
 * `Monitoring.of(this)`, so any stack built from them is watched with no per-stack code.
 *
 * - `aws_sns_topic.alerts` (`<service>-alerts-<env>`), encrypted with its own KMS key: CloudWatch alarms cannot
 *   publish to a topic encrypted with the AWS managed `alias/aws/sns` key, whose policy cannot grant
 *   `cloudwatch.amazonaws.com`. Optional e-mail subscription.
 * - One alarm per signal, alarm and OK actions on the topic: per function Errors and Throttles
 *   (`<fn>_errors`, `<fn>_throttles`), per API stage 5XXError and p99 Latency (`<api>_5xx_errors`,
 *   `<api>_p99_latency`), per table read + write throttle events (`<table>_throttles`), per failure
 *   queue any visible message (`<queue>_not_empty`), per pipe failed executions (`<pipe>_execution_failed`).
 * - `aws_cloudwatch_dashboard.dashboard` (`<service>-<env>`), whose body is computed at synth from
 *   everything registered, so rows appear for whatever the stack holds.
 */
export class Monitoring extends Construct {
  readonly topic: SnsTopic;
  readonly topicArn: string;
  readonly dashboard: CloudwatchDashboard;
  readonly dashboardName: string;
  /** Namespace of the metrics derived from logs (`movies-dev`). */
  readonly namespace: string;

  private readonly props: MonitoringProps;
  private readonly region: string;
  private readonly functions: WatchedFunction[] = [];
  private readonly apis: WatchedApi[] = [];
  private readonly tables: WatchedTable[] = [];
  private readonly queues: WatchedQueue[] = [];
  private readonly logWidgets: Widget[] = [];
  private readonly extraRows: Widget[][] = [];

  /**
   * The stack's Monitoring. `ServiceStack` creates it from the environment config; in any other stack
   * it is created on first use, named after the stack's id.
   */
  static of(scope: IConstruct): Monitoring {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild(MONITORING_ID);
    if (existing instanceof Monitoring) return existing;
    // Named from the stack's id: `stack-alerts-<stack>` and the dashboard `stack-<stack>`.
    return new Monitoring(stack, MONITORING_ID, { environment: stack.node.id, service: "stack" });
  }

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    if (scope !== TerraformStack.of(scope) || id !== MONITORING_ID) {
      throw new Error(
        `Monitoring must be created on its stack with id "${MONITORING_ID}" (Monitoring.of finds it)`,
      );
    }
    this.props = props;
    if (props.region) {
      this.region = props.region;
    } else {
      const current = new DataAwsRegion(this, "current_region");
      current.overrideLogicalId("current_region");
      this.region = current.region;
    }
    this.namespace = physicalName(props.service, props.environment);
    // One topic per service stack: movies-dev and orders-dev share an account and region.
    const alerts = new Topic(this, "alerts", {
      name: `${props.service}-alerts`,
      environment: props.environment,
      accountId: callerIdentity(this).accountId,
      publishingServices: ["cloudwatch.amazonaws.com"],
      keyDeletionWindowDays: 7,
    });
    this.topic = alerts.topic;
    this.topicArn = this.topic.arn;
    if (props.alarmEmail) {
      const subscription = new SnsTopicSubscription(this, "alerts_email", {
        topicArn: this.topic.arn,
        protocol: "email",
        endpoint: props.alarmEmail,
      });
      subscription.overrideLogicalId("alerts_email");
    }

    this.dashboardName = physicalName(props.service, props.environment);
    this.dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: this.dashboardName,
      // Built when the stack is synthesized, from everything registered by then.
      dashboardBody: Lazy.stringValue({ produce: () => JSON.stringify(this.buildDashboard()) }),
    });
    this.dashboard.overrideLogicalId("dashboard");
  }

  /** Alarms on the function's Errors and Throttles; adds it to the Lambda widgets. */
  watchFunction(fn: WatchedFunction): void {
    this.functions.push(fn);
    const dimensions = { FunctionName: fn.functionName };
    for (const [suffix, metricName] of [
      ["errors", "Errors"],
      ["throttles", "Throttles"],
    ] as const) {
      this.addAlarm(`${fn.terraformName}_${suffix}`, {
        alarmName: `${fn.functionName}-${suffix}`,
        alarmDescription: `${fn.functionName}: ${metricName} in the last 5 minutes`,
        namespace: "AWS/Lambda",
        metricName,
        dimensions,
        ...ANY_IN_FIVE_MINUTES,
      });
    }
  }

  /** Alarms on the stage's 5XXError count and p99 Latency; adds it to the API widgets. */
  watchApi(api: WatchedApi): void {
    this.apis.push(api);
    const dimensions = { ApiName: api.apiName, Stage: api.stageName };
    this.addAlarm(`${api.terraformName}_5xx_errors`, {
      alarmName: `${api.apiName}-${api.stageName}-5xx-errors`,
      alarmDescription: `${api.apiName} ${api.stageName}: responses with a 5xx status in the last 5 minutes`,
      namespace: "AWS/ApiGateway",
      metricName: "5XXError",
      dimensions,
      ...ANY_IN_FIVE_MINUTES,
    });
    const thresholdMs = this.props.apiLatencyP99ThresholdMs ?? 2000;
    this.addAlarm(`${api.terraformName}_p99_latency`, {
      alarmName: `${api.apiName}-${api.stageName}-p99-latency`,
      alarmDescription: `${api.apiName} ${api.stageName}: p99 latency above ${thresholdMs} ms for 15 minutes`,
      namespace: "AWS/ApiGateway",
      metricName: "Latency",
      dimensions,
      extendedStatistic: "p99",
      period: FIVE_MINUTES,
      evaluationPeriods: 3,
      threshold: thresholdMs,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
  }

  /**
   * Alarms when the table throttles any read or write. `ThrottledRequests` is only published per
   * operation, so the alarm sums the table-level `ReadThrottleEvents` and `WriteThrottleEvents`.
   */
  watchTable(table: WatchedTable): void {
    this.tables.push(table);
    const metric = (id: string, metricName: string) => ({
      id,
      returnData: false,
      metric: {
        namespace: "AWS/DynamoDB",
        metricName,
        dimensions: { TableName: table.tableName },
        stat: "Sum",
        period: FIVE_MINUTES,
      },
    });
    this.addAlarm(`${table.terraformName}_throttles`, {
      alarmName: `${table.tableName}-throttles`,
      alarmDescription: `${table.tableName}: throttled reads or writes in the last 5 minutes`,
      metricQuery: [
        {
          id: "throttles",
          expression: "FILL(reads, 0) + FILL(writes, 0)",
          label: "Throttle events",
          returnData: true,
        },
        metric("reads", "ReadThrottleEvents"),
        metric("writes", "WriteThrottleEvents"),
      ],
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    });
  }

  /** Alarms as soon as the queue holds a message: something failed and waits for a human. */
  watchQueue(queue: WatchedQueue): void {
    this.queues.push(queue);
    this.addAlarm(`${queue.terraformName}_not_empty`, {
      alarmName: `${queue.queueName}-not-empty`,
      alarmDescription: `${queue.queueName} holds messages: see "Operating the service" in the README to replay them`,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: queue.queueName },
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
  }

  /**
   * Alarms when a pipe execution fails (`AWS/EventBridge/Pipes` `ExecutionFailed`, by `PipeName`):
   * the pipe is retrying a batch, which holds up its shard until it succeeds or is dead-lettered.
   */
  watchPipe(pipe: WatchedPipe): void {
    this.addAlarm(`${pipe.terraformName}_execution_failed`, {
      alarmName: `${pipe.pipeName}-execution-failed`,
      alarmDescription: `${pipe.pipeName}: failed executions in the last 5 minutes (see the pipe's log group)`,
      namespace: "AWS/EventBridge/Pipes",
      metricName: "ExecutionFailed",
      dimensions: { PipeName: pipe.pipeName },
      ...ANY_IN_FIVE_MINUTES,
    });
  }

  /**
   * Turns numeric fields of a function's JSON log lines into metrics in {@link namespace} (one
   * `aws_cloudwatch_log_metric_filter.<fn>_<metric>` each) and graphs them in one widget.
   */
  addLogMetrics(fn: WatchedFunction & { readonly logGroupName: string }, options: LogMetricsOptions): void {
    const metrics: MetricSpec[] = [];
    for (const [metricName, field] of Object.entries(options.metrics)) {
      const name = `${fn.terraformName}_${tfName(metricName)}`;
      const filter = new CloudwatchLogMetricFilter(this, name, {
        name: `${fn.functionName}-${metricName}`,
        logGroupName: fn.logGroupName,
        pattern: options.filterPattern,
        metricTransformation: { namespace: this.namespace, name: metricName, value: field, unit: "Count" },
      });
      filter.overrideLogicalId(name);
      metrics.push({ namespace: this.namespace, metricName, dimensions: {}, label: metricName });
    }
    this.logWidgets.push(graph(options.title, metrics, { stat: "Sum" }));
  }

  /** Adds an alarm on the alerts topic (alarm and OK actions), as `aws_cloudwatch_metric_alarm.<id>`. */
  addAlarm(id: string, spec: AlarmSpec): CloudwatchMetricAlarm {
    const name = tfName(id);
    const alarm = new CloudwatchMetricAlarm(this, name, {
      ...spec,
      alarmActions: [this.topic.arn],
      okActions: [this.topic.arn],
    });
    alarm.overrideLogicalId(name);
    return alarm;
  }

  /** Adds a row of widgets below the generated ones. */
  addDashboardRow(...widgets: Widget[]): void {
    this.extraRows.push(widgets);
  }

  private buildDashboard() {
    const { service, environment } = this.props;
    const builder = new DashboardBuilder(this.region);
    builder.addRow(
      text(
        `# ${service} (${environment})\nAlarms publish to SNS topic \`${physicalName(`${service}-alerts`, environment)}\`. ` +
          `Runbook: "Operating the service" in the README.`,
      ),
    );
    for (const api of this.apis) {
      const m = (metricName: string, stat?: MetricSpec["stat"], label?: string): MetricSpec => ({
        namespace: "AWS/ApiGateway",
        metricName,
        dimensions: { ApiName: api.apiName, Stage: api.stageName },
        ...(stat ? { stat } : {}),
        ...(label ? { label } : {}),
      });
      builder.addRow(
        graph(`API ${api.apiName}: requests`, [m("Count", "Sum", "Requests")]),
        graph(`API ${api.apiName}: latency (ms)`, [m("Latency", "p50", "p50"), m("Latency", "p99", "p99")]),
        graph(`API ${api.apiName}: errors`, [m("4XXError", "Sum", "4xx"), m("5XXError", "Sum", "5xx")]),
      );
    }
    if (this.functions.length > 0) {
      const each = (metricName: string, stat?: MetricSpec["stat"]): MetricSpec[] =>
        this.functions.map((fn) => ({
          namespace: "AWS/Lambda",
          metricName,
          dimensions: { FunctionName: fn.functionName },
          label: fn.functionName,
          ...(stat ? { stat } : {}),
        }));
      builder.addRow(
        graph("Lambda: invocations", each("Invocations")),
        graph("Lambda: duration p99 (ms)", each("Duration"), { stat: "p99" }),
        graph("Lambda: errors", each("Errors")),
      );
      builder.addRow(
        graph("Lambda: throttles", each("Throttles")),
        graph("Lambda: concurrent executions", each("ConcurrentExecutions"), { stat: "Maximum" }),
      );
    }
    if (this.tables.length > 0) {
      const each = (metricName: string, suffix: string): MetricSpec[] =>
        this.tables.map((table) => ({
          namespace: "AWS/DynamoDB",
          metricName,
          dimensions: { TableName: table.tableName },
          label: `${table.tableName} ${suffix}`,
        }));
      builder.addRow(
        graph("DynamoDB: consumed capacity", [
          ...each("ConsumedReadCapacityUnits", "read"),
          ...each("ConsumedWriteCapacityUnits", "write"),
        ]),
        graph("DynamoDB: throttle events", [
          ...each("ReadThrottleEvents", "read"),
          ...each("WriteThrottleEvents", "write"),
        ]),
      );
    }
    const queueWidgets: Widget[] =
      this.queues.length > 0
        ? [
            graph(
              "Failure queues: messages waiting",
              this.queues.map((queue) => ({
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: queue.queueName },
                label: queue.queueName,
              })),
              { stat: "Maximum", period: 60 },
            ),
          ]
        : [];
    builder.addRow(...this.logWidgets, ...queueWidgets);
    for (const row of this.extraRows) builder.addRow(...row);
    return builder.build();
  }
}
