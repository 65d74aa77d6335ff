/**
 * What a resource can be watched by: a CloudWatch metric with the resource's namespace and dimensions,
 * as CDK's `metric*()` methods return it (`fn.metricErrors()`, `table.metricReadThrottleEvents()`).
 * Resources describe their metrics; the stack's monitoring (operations/) decides which become alarms and
 * dashboard rows, so no resource construct depends on monitoring.
 */

/** A statistic: a named one, or a percentile (`p50`, `p99`). */
export type Statistic = "Sum" | "Average" | "Maximum" | "Minimum" | "SampleCount" | `p${number}`;

/** One CloudWatch metric of one resource. */
export interface Metric {
  readonly namespace: string;
  readonly metricName: string;
  /** Dimension name → value, in the order CloudWatch lists them. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** @default the statistic of whoever reads it (the alarm's, the widget's) */
  readonly stat?: Statistic;
  /** @default CloudWatch's label (metric name and dimensions) */
  readonly label?: string;
}

/** How a caller refines a resource's metric. */
export interface MetricOptions {
  /** @default the reader's statistic */
  readonly stat?: Statistic;
  /** @default CloudWatch's label */
  readonly label?: string;
}

/** A metric of `namespace`, with only the options that were given (so the dashboard JSON stays minimal). */
export function metric(
  namespace: string,
  metricName: string,
  dimensions: Readonly<Record<string, string>>,
  options: MetricOptions = {},
): Metric {
  return {
    namespace,
    metricName,
    dimensions,
    ...(options.stat ? { stat: options.stat } : {}),
    ...(options.label ? { label: options.label } : {}),
  };
}
