import { Construct, type IConstruct } from "constructs";
import { Aspects, Lazy, TerraformStack, type IAspect } from "cdktf";
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
import { BundledFunction } from "../constructs/bundled-function";
import { ContainerService } from "../constructs/container-service";
import { metric, type Metric, type MetricOptions } from "../constructs/core/metrics";
import { alertsTopicName, derivedName, physicalName, tfName } from "../constructs/core/naming";
import { FailureQueue } from "../constructs/failure-queue";
import { IngestionStateMachine } from "../constructs/ingestion-state-machine";
import { Queue } from "../constructs/queue";
import { RestApi } from "../constructs/rest-api";
import { Table } from "../constructs/table";
import { TableStreamPipe } from "../constructs/table-stream-pipe";
import { Topic } from "../constructs/topic";
import { ResourceConstruct, withAddress } from "../constructs/core/resource-construct";
import { jsonencode } from "../constructs/core/jsonencode";

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

/** A function to name log-derived metrics after (`addLogMetrics`). */
export interface LoggingFunction {
  /** The Terraform name its resources derive from (`get_movie_lambda`). */
  readonly terraformName: string;
  readonly functionName: string;
  readonly logGroupName: string;
}

/** A queue that must stay empty (a failure destination, a dead-letter queue). */
interface WatchedQueue {
  readonly terraformName: string;
  readonly queueName: string;
  readonly visible: Metric;
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

/** The alarm fields that name a metric. */
function alarmMetric(watched: Metric) {
  return {
    namespace: watched.namespace,
    metricName: watched.metricName,
    dimensions: { ...watched.dimensions },
  };
}
const FIVE_MINUTES = 300;

/** The lines Powertools Logger writes at ERROR level (`lambdas/shared/logger.ts`: `"level": "ERROR"`). */
export const ERROR_LOG_LINES = '{ $.level = "ERROR" }';
/** The metric {@link ERROR_LOG_LINES} are counted as, by `FunctionName`, in the stack's namespace. */
export const ERROR_LOG_LINES_METRIC = "ErrorLogLines";

/** `7 days`, `12 hours`, `90 seconds`: the largest whole unit. */
function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size} ${unit}${seconds === size ? "" : "s"}`;
  }
  return `${seconds} seconds`;
}

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
 * Alarms, an alerts topic and a dashboard for one stack, as an Aspect (like `Guardrails`): when the
 * stack is synthesized it visits every construct once and turns what the resources describe with their
 * `metric*()` methods into alarms and dashboard rows, so any stack built from `BundledFunction`,
 * `RestApi`, `Table`, `FailureQueue`, `Queue` and `TableStreamPipe` is watched with no per-stack code,
 * and no resource construct knows about monitoring. Only a stack that applies it gets a topic and alarms.
 *
 * - `aws_sns_topic.alerts` (`<service>-alerts-<env>`), encrypted with its own KMS key: CloudWatch alarms cannot
 *   publish to a topic encrypted with the AWS managed `alias/aws/sns` key, whose policy cannot grant
 *   `cloudwatch.amazonaws.com`. Optional e-mail subscription.
 * - One alarm per signal, alarm and OK actions on the topic: per function Errors and Throttles
 *   (`<fn>_errors`, `<fn>_throttles`), and for one invoked asynchronously the events it lost
 *   (`<fn>_destination_delivery_failures`, `<fn>_async_events_dropped`); per function behind an API its
 *   ERROR log lines, through a metric filter (`<fn>_error_logs`: its handler answers 500 instead of
 *   failing, so `Errors` stays 0); per API stage 5XXError and p99 Latency (`<api>_5xx_errors`,
 *   `<api>_p99_latency`), per table read + write throttle events (`<table>_throttles`), per failure
 *   queue any visible message (`<queue>_not_empty`), per queue a message older than half its retention
 *   (`<queue>_oldest_message_age`), per pipe failed executions (`<pipe>_execution_failed`), per container
 *   service CPU, memory, tasks below desired and its HTTP API's 5xx (`<service>_cpu_high`,
 *   `<service>_memory_high`, `<service>_tasks_below_desired`, `<service>_api_5xx_errors`), per ingestion
 *   state machine executions failed, timed out and aborted (`<machine>_executions_failed`, ...).
 * - `aws_cloudwatch_dashboard.dashboard` (`<service>-<env>`), whose body is computed at synth from
 *   everything watched, so rows appear for whatever the stack holds (one per API, the functions, the
 *   tables, one per pipe, the failure queues).
 */
export class Monitoring extends ResourceConstruct implements IAspect {
  readonly topic: SnsTopic;
  readonly topicArn: string;
  readonly dashboard: CloudwatchDashboard;
  readonly dashboardName: string;
  /** Namespace of the metrics derived from logs (`movies-dev`). */
  readonly namespace: string;

  private readonly props: MonitoringProps;
  private readonly region: string;
  private readonly functions: BundledFunction[] = [];
  private readonly apis: RestApi[] = [];
  private readonly tables: Table[] = [];
  private readonly pipes: TableStreamPipe[] = [];
  private readonly stateMachines: IngestionStateMachine[] = [];
  private readonly queues: WatchedQueue[] = [];
  private readonly errorLogFunctions: BundledFunction[] = [];
  private readonly messageAgeQueues: Queue[] = [];
  private readonly containerServices: ContainerService[] = [];
  private watched = false;
  private readonly logWidgets: Widget[] = [];
  private readonly extraRows: Widget[][] = [];

  /** Watches `stack`: creates its Monitoring (`monitoring`) and adds it to the stack's aspects. */
  static applyTo(stack: TerraformStack, props: MonitoringProps): Monitoring {
    return new Monitoring(stack, MONITORING_ID, props);
  }

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    if (scope !== TerraformStack.of(scope) || id !== MONITORING_ID) {
      throw new Error(
        `Monitoring must be created on its stack with id "${MONITORING_ID}" (Monitoring.applyTo creates it)`,
      );
    }
    this.props = props;
    Aspects.of(scope).add(this);
    if (props.region) {
      this.region = props.region;
    } else {
      const current = new DataAwsRegion(this, "current_region");
      withAddress(current, "current_region");
      this.region = current.region;
    }
    this.namespace = physicalName(props.service, props.environment);
    // One topic per service stack: movies-dev and orders-dev share an account and region.
    const alerts = new Topic(this, "alerts", {
      name: alertsTopicName(props.service),
      environment: props.environment,
      publishingServices: ["cloudwatch.amazonaws.com"],
      keyDeletionWindowDays: 7,
    });
    this.topic = alerts.resource;
    this.topicArn = this.topic.arn;
    if (props.alarmEmail) {
      const subscription = new SnsTopicSubscription(this, "alerts_email", {
        topicArn: this.topic.arn,
        protocol: "email",
        endpoint: props.alarmEmail,
      });
      withAddress(subscription, "alerts_email");
    }

    this.dashboardName = physicalName(props.service, props.environment);
    this.dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: this.dashboardName,
      // Built when the stack is synthesized, from everything registered by then.
      dashboardBody: Lazy.stringValue({ produce: () => jsonencode(this.buildDashboard()) }),
    });
    withAddress(this.dashboard, "dashboard");
  }

  /**
   * Visits the stack once, before its children: every resource that can be watched is, in the order of
   * its Terraform name, so the alarms exist before the other aspects (guardrails) visit them.
   */
  visit(node: IConstruct): void {
    if (node !== TerraformStack.of(this) || this.watched) return;
    this.watched = true;
    const all = node.node.findAll();
    const found = <T extends IConstruct & { readonly terraformName: string }>(
      type: abstract new (...args: never[]) => T,
    ) =>
      all
        .filter((c): c is T => c instanceof type)
        .sort((a, b) => a.terraformName.localeCompare(b.terraformName));
    for (const table of found(Table)) this.watchTable(table);
    for (const fn of found(BundledFunction)) this.watchFunction(fn);
    for (const api of found(RestApi)) this.watchApi(api);
    for (const fn of found(BundledFunction)) {
      if (fn.reportsBatchItemFailures) this.watchErrorLogs(fn, "records of a batch it failed");
    }
    for (const pipe of found(TableStreamPipe)) this.watchPipe(pipe);
    for (const service of found(ContainerService)) this.watchContainerService(service);
    for (const machine of found(IngestionStateMachine)) this.watchStateMachine(machine);
    const queues: WatchedQueue[] = [
      ...found(FailureQueue).map((q) => ({
        terraformName: q.terraformName,
        queueName: q.queueName,
        visible: q.metricApproximateNumberOfMessagesVisible(),
      })),
      // A message in a Queue's DLQ is one a consumer gave up on: someone must look.
      ...found(Queue).map((q) => ({
        terraformName: `${q.terraformName}_dlq`,
        queueName: q.deadLetterQueue.name,
        visible: q.metricDeadLetterMessagesVisible(),
      })),
    ];
    queues.sort((a, b) => a.terraformName.localeCompare(b.terraformName));
    for (const queue of queues) this.watchQueue(queue);
    for (const queue of found(Queue)) this.watchMessageAge(queue);
  }

  /**
   * Alarms when a queue's oldest message has waited longer than it should (`maxMessageAgeSeconds`; by
   * default half its retention): the consumer is down, stuck or not there yet, and at the retention
   * messages are deleted unread.
   */
  private watchMessageAge(queue: Queue): void {
    this.messageAgeQueues.push(queue);
    const thresholdSeconds = queue.maxMessageAgeSeconds;
    this.addAlarm(`${queue.terraformName}_oldest_message_age`, {
      alarmName: derivedName(queue.queueName, "oldest-message-age"),
      alarmDescription:
        `${queue.queueName}: a message has waited over ${formatDuration(thresholdSeconds)} for a consumer; ` +
        `SQS deletes it unread at ${formatDuration(queue.retentionSeconds)}`,
      ...alarmMetric(queue.metricApproximateAgeOfOldestMessage()),
      statistic: "Maximum",
      period: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: thresholdSeconds,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
  }

  /**
   * Alarms on the function's Errors and Throttles, and, when it is invoked asynchronously, on events
   * lost on the way (`DestinationDeliveryFailures`, `AsyncEventsDropped`); adds it to the Lambda widgets.
   */
  private watchFunction(fn: BundledFunction): void {
    this.functions.push(fn);
    const watched: [string, Metric][] = [
      ["errors", fn.metricErrors()],
      ["throttles", fn.metricThrottles()],
    ];
    if (fn.invokedAsynchronously) {
      watched.push(
        ["destination_delivery_failures", fn.metricDestinationDeliveryFailures()],
        ["async_events_dropped", fn.metricAsyncEventsDropped()],
      );
    }
    for (const [suffix, metric] of watched) {
      this.addAlarm(`${fn.terraformName}_${suffix}`, {
        alarmName: derivedName(fn.functionName, suffix.replaceAll("_", "-")),
        alarmDescription: `${fn.functionName}: ${metric.metricName} in the last 5 minutes`,
        ...alarmMetric(metric),
        ...ANY_IN_FIVE_MINUTES,
      });
    }
  }

  /**
   * Alarms on the ERROR lines of a function behind an API, or fed by SQS with partial batch responses.
   * Its handler turns an exception into a 500 response, or into a failed batch item, so Lambda counts no
   * `Errors`; what it does write is one `"level": "ERROR"` line (`lambdas/shared/api-handler.ts`,
   * `lambdas/shared/sqs-batch.ts`, Powertools Logger's JSON). A metric filter on its log group counts
   * those lines as `ErrorLogLines` in {@link namespace}, by `FunctionName` (the line's `function_name`).
   */
  private watchErrorLogs(fn: BundledFunction, what = "requests answered 500"): void {
    if (this.errorLogFunctions.includes(fn)) return;
    this.errorLogFunctions.push(fn);
    const name = `${fn.terraformName}_error_logs`;
    const filter = new CloudwatchLogMetricFilter(this, `${name}_filter`, {
      name: derivedName(fn.functionName, "error-logs"),
      logGroupName: fn.logGroupName,
      pattern: ERROR_LOG_LINES,
      metricTransformation: {
        namespace: this.namespace,
        name: ERROR_LOG_LINES_METRIC,
        value: "1",
        unit: "Count",
        dimensions: { FunctionName: "$.function_name" },
      },
    });
    withAddress(filter, name);
    this.addAlarm(name, {
      alarmName: derivedName(fn.functionName, "error-logs"),
      alarmDescription: `${fn.functionName}: ERROR log lines (${what}) in the last 5 minutes`,
      ...alarmMetric(this.errorLogLines(fn)),
      ...ANY_IN_FIVE_MINUTES,
    });
  }

  /** The ERROR log lines of a function watched by {@link watchErrorLogs}. */
  private errorLogLines(fn: BundledFunction, options: MetricOptions = {}): Metric {
    return metric(this.namespace, ERROR_LOG_LINES_METRIC, { FunctionName: fn.functionName }, options);
  }

  /** Alarms on the stage's 5XXError count and p99 Latency; adds it to the API widgets. */
  private watchApi(api: RestApi): void {
    this.apis.push(api);
    for (const fn of api.functions) this.watchErrorLogs(fn);
    const { apiName, stageName } = api;
    this.addAlarm(`${api.terraformName}_5xx_errors`, {
      alarmName: derivedName(apiName, `${stageName}-5xx-errors`),
      alarmDescription: `${apiName} ${stageName}: responses with a 5xx status in the last 5 minutes`,
      ...alarmMetric(api.metricServerError()),
      ...ANY_IN_FIVE_MINUTES,
    });
    const thresholdMs = this.props.apiLatencyP99ThresholdMs ?? 2000;
    this.addAlarm(`${api.terraformName}_p99_latency`, {
      alarmName: derivedName(apiName, `${stageName}-p99-latency`),
      alarmDescription: `${apiName} ${stageName}: p99 latency above ${thresholdMs} ms for 15 minutes`,
      ...alarmMetric(api.metricLatency()),
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
  private watchTable(table: Table): void {
    this.tables.push(table);
    const query = (id: string, watched: Metric) => ({
      id,
      returnData: false,
      metric: { ...alarmMetric(watched), stat: "Sum", period: FIVE_MINUTES },
    });
    this.addAlarm(`${table.terraformName}_throttles`, {
      alarmName: derivedName(table.tableName, "throttles"),
      alarmDescription: `${table.tableName}: throttled reads or writes in the last 5 minutes`,
      metricQuery: [
        {
          id: "throttles",
          expression: "FILL(reads, 0) + FILL(writes, 0)",
          label: "Throttle events",
          returnData: true,
        },
        query("reads", table.metricReadThrottleEvents()),
        query("writes", table.metricWriteThrottleEvents()),
      ],
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    });
  }

  /** Alarms as soon as the queue holds a message: something failed and waits for a human. */
  private watchQueue(queue: WatchedQueue): void {
    this.queues.push(queue);
    this.addAlarm(`${queue.terraformName}_not_empty`, {
      alarmName: derivedName(queue.queueName, "not-empty"),
      alarmDescription: `${queue.queueName} holds messages: see "Operating the service" in the README to replay them`,
      ...alarmMetric(queue.visible),
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
  private watchPipe(pipe: TableStreamPipe): void {
    this.pipes.push(pipe);
    this.addAlarm(`${pipe.terraformName}_execution_failed`, {
      alarmName: derivedName(pipe.pipeName, "execution-failed"),
      alarmDescription: `${pipe.pipeName}: failed executions in the last 5 minutes (see the pipe's log group)`,
      ...alarmMetric(pipe.metricExecutionFailed()),
      ...ANY_IN_FIVE_MINUTES,
    });
  }

  /**
   * Alarms on an ECS service and its HTTP API: CPU and memory above 80% (average over 15 minutes), fewer
   * tasks running than desired for 5 minutes (Container Insights' `RunningTaskCount` and
   * `DesiredTaskCount`: a task that keeps crashing, an image that cannot be pulled, no capacity), and any
   * 5xx answered by the API (the container's 500s, and 503s when no task is registered in Cloud Map).
   */
  private watchContainerService(service: ContainerService): void {
    this.containerServices.push(service);
    const name = service.terraformName;
    const label = `${service.clusterName}/${service.serviceName}`;
    for (const [suffix, watched, what] of [
      ["cpu_high", service.metricCpuUtilization(), "CPU"],
      ["memory_high", service.metricMemoryUtilization(), "memory"],
    ] as const) {
      this.addAlarm(`${name}_${suffix}`, {
        alarmName: derivedName(service.serviceName, suffix.replaceAll("_", "-")),
        alarmDescription: `${label}: ${what} utilization above 80% for 15 minutes`,
        ...alarmMetric(watched),
        statistic: "Average",
        period: FIVE_MINUTES,
        evaluationPeriods: 3,
        threshold: 80,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
      });
    }
    const query = (id: string, watched: Metric) => ({
      id,
      returnData: false,
      metric: { ...alarmMetric(watched), stat: "Average", period: 60 },
    });
    this.addAlarm(`${name}_tasks_below_desired`, {
      alarmName: derivedName(service.serviceName, "tasks-below-desired"),
      alarmDescription: `${label}: fewer tasks running than desired for 5 minutes (see the service's events)`,
      metricQuery: [
        {
          id: "missing",
          expression: "FILL(desired, 0) - FILL(running, 0)",
          label: "Tasks missing",
          returnData: true,
        },
        query("desired", service.metricDesiredTaskCount()),
        query("running", service.metricRunningTaskCount()),
      ],
      evaluationPeriods: 5,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    });
    this.addAlarm(`${name}_api_5xx_errors`, {
      alarmName: derivedName(service.serviceName, "api-5xx-errors"),
      alarmDescription: `${service.serviceName} HTTP API: responses with a 5xx status in the last 5 minutes`,
      ...alarmMetric(service.metricApiServerError()),
      ...ANY_IN_FIVE_MINUTES,
    });
  }

  /**
   * Alarms when an execution of an ingestion state machine ends failed, timed out or aborted
   * (`AWS/States`, by `StateMachineArn`): a large upload was not fully ingested, and its results in S3
   * say which batches failed.
   */
  private watchStateMachine(machine: IngestionStateMachine): void {
    this.stateMachines.push(machine);
    const watched: [string, Metric][] = [
      ["executions_failed", machine.metricExecutionsFailed()],
      ["executions_timed_out", machine.metricExecutionsTimedOut()],
      ["executions_aborted", machine.metricExecutionsAborted()],
    ];
    for (const [suffix, watchedMetric] of watched) {
      this.addAlarm(`${machine.terraformName}_${suffix}`, {
        alarmName: derivedName(machine.stateMachineName, suffix.replaceAll("_", "-")),
        alarmDescription:
          `${machine.stateMachineName}: ${watchedMetric.metricName} in the last 5 minutes ` +
          `(the execution's results under s3://<bucket>/${machine.resultPrefix}/ list the failed batches)`,
        ...alarmMetric(watchedMetric),
        ...ANY_IN_FIVE_MINUTES,
      });
    }
  }

  /**
   * Turns numeric fields of a function's JSON log lines into metrics in {@link namespace} (one
   * `aws_cloudwatch_log_metric_filter.<fn>_<metric>` each) and graphs them in one widget.
   */
  addLogMetrics(fn: LoggingFunction, options: LogMetricsOptions): void {
    const metrics: MetricSpec[] = [];
    for (const [metricName, field] of Object.entries(options.metrics)) {
      const name = `${fn.terraformName}_${tfName(metricName)}`;
      const filter = new CloudwatchLogMetricFilter(this, name, {
        name: derivedName(fn.functionName, metricName),
        logGroupName: fn.logGroupName,
        pattern: options.filterPattern,
        metricTransformation: { namespace: this.namespace, name: metricName, value: field, unit: "Count" },
      });
      withAddress(filter, name);
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
    withAddress(alarm, name);
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
        `# ${service} (${environment})\nAlarms publish to SNS topic \`${physicalName(alertsTopicName(service), environment)}\`. ` +
          `Runbook: "Operating the service" in the README.`,
      ),
    );
    for (const api of this.apis) {
      const apiName = api.apiName;
      builder.addRow(
        graph(`API ${apiName}: requests`, [api.metricCount({ stat: "Sum", label: "Requests" })]),
        graph(`API ${apiName}: latency (ms)`, [
          api.metricLatency({ stat: "p50", label: "p50" }),
          api.metricLatency({ stat: "p99", label: "p99" }),
        ]),
        graph(`API ${apiName}: errors`, [
          api.metricClientError({ stat: "Sum", label: "4xx" }),
          api.metricServerError({ stat: "Sum", label: "5xx" }),
        ]),
      );
    }
    for (const row of this.functionRows()) builder.addRow(...row);
    if (this.tables.length > 0) {
      const each = (metricName: string, suffix: string): Metric[] =>
        this.tables.map((table) => table.metric(metricName, { label: `${table.tableName} ${suffix}` }));
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
    for (const pipe of this.pipes) {
      builder.addRow(
        graph(`Pipe ${pipe.pipeName}: records and executions`, [
          pipe.metricEventCount({ label: "Records read" }),
          pipe.metricInvocations({ label: "Executions" }),
        ]),
        graph(`Pipe ${pipe.pipeName}: failed executions`, [pipe.metricExecutionFailed({ label: "Failed" })]),
      );
    }
    for (const row of this.containerRows()) builder.addRow(...row);
    for (const machine of this.stateMachines) {
      builder.addRow(
        graph(`State machine ${machine.stateMachineName}: executions`, [
          machine.metricExecutionsStarted({ label: "Started" }),
          machine.metricExecutionsSucceeded({ label: "Succeeded" }),
        ]),
        graph(`State machine ${machine.stateMachineName}: executions that did not succeed`, [
          machine.metricExecutionsFailed({ label: "Failed" }),
          machine.metricExecutionsTimedOut({ label: "Timed out" }),
          machine.metricExecutionsAborted({ label: "Aborted" }),
        ]),
      );
    }
    builder.addRow(...this.logWidgets, ...this.queueWidgets());
    for (const row of this.extraRows) builder.addRow(...row);
    return builder.build();
  }

  /** The Lambda rows: one line per function; ERROR lines of the API functions; async events lost. */
  private functionRows(): Widget[][] {
    if (this.functions.length === 0) return [];
    const each = (metricName: string): Metric[] =>
      this.functions.map((fn) => fn.metric(metricName, { label: fn.functionName }));
    const errorLogs = this.errorLogFunctions.map((fn) => this.errorLogLines(fn, { label: fn.functionName }));
    const rows: Widget[][] = [
      [
        graph("Lambda: invocations", each("Invocations")),
        graph("Lambda: duration p99 (ms)", each("Duration"), { stat: "p99" }),
        graph("Lambda: errors", each("Errors")),
      ],
      [
        graph("Lambda: throttles", each("Throttles")),
        graph("Lambda: concurrent executions", each("ConcurrentExecutions"), { stat: "Maximum" }),
        ...(errorLogs.length > 0
          ? [graph("Lambda: ERROR log lines (API and batch functions)", errorLogs)]
          : []),
      ],
    ];
    const lost = this.functions
      .filter((fn) => fn.invokedAsynchronously)
      .flatMap((fn) => [
        fn.metricAsyncEventsDropped({ label: `${fn.functionName} dropped` }),
        fn.metricDestinationDeliveryFailures({ label: `${fn.functionName} destination failures` }),
      ]);
    if (lost.length > 0) rows.push([graph("Lambda: asynchronous events lost", lost)]);
    return rows;
  }

  /** Per container service: its HTTP API (requests, latency, errors), then CPU, memory and tasks. */
  private containerRows(): Widget[][] {
    return this.containerServices.flatMap((service) => {
      const name = service.serviceName;
      return [
        [
          graph(`HTTP API ${name}: requests`, [service.metricApiCount({ stat: "Sum", label: "Requests" })]),
          graph(`HTTP API ${name}: latency (ms)`, [
            service.metricApiLatency({ stat: "p50", label: "p50" }),
            service.metricApiLatency({ stat: "p99", label: "p99" }),
          ]),
          graph(`HTTP API ${name}: errors`, [
            service.metricApiClientError({ stat: "Sum", label: "4xx" }),
            service.metricApiServerError({ stat: "Sum", label: "5xx" }),
          ]),
        ],
        [
          graph(
            `ECS ${name}: CPU and memory (%)`,
            [
              service.metricCpuUtilization({ label: "CPU" }),
              service.metricMemoryUtilization({ label: "Memory" }),
            ],
            { stat: "Average" },
          ),
          graph(
            `ECS ${name}: tasks`,
            [
              service.metricRunningTaskCount({ label: "Running" }),
              service.metricDesiredTaskCount({ label: "Desired" }),
            ],
            { stat: "Average", period: 60 },
          ),
        ],
      ];
    });
  }

  /** Messages waiting in the failure queues, and the age of each queue's oldest message. */
  private queueWidgets(): Widget[] {
    const widgets: Widget[] = [];
    if (this.queues.length > 0) {
      widgets.push(
        graph(
          "Failure queues: messages waiting",
          this.queues.map((queue) => ({ ...queue.visible, label: queue.queueName })),
          { stat: "Maximum", period: 60 },
        ),
      );
    }
    if (this.messageAgeQueues.length > 0) {
      widgets.push(
        graph(
          "Queues: age of the oldest message (s)",
          this.messageAgeQueues.map((q) => q.metricApproximateAgeOfOldestMessage({ label: q.queueName })),
          { stat: "Maximum" },
        ),
      );
    }
    return widgets;
  }
}
