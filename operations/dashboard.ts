/**
 * A small typed builder for CloudWatch dashboard bodies: rows of widgets, laid out on the dashboard's
 * 24-column grid. It produces the `dashboard_body` object; values may be Terraform tokens (function
 * names, API names), which end up as references in the `jsonencode(...)` Monitoring writes it with.
 */

import type { Metric, Statistic } from "../constructs/core/metrics";

export type { Statistic } from "../constructs/core/metrics";

/** One CloudWatch metric as a dashboard draws it: a resource's {@link Metric}. */
export type MetricSpec = Metric;

/** A line graph of metrics. */
export interface GraphWidget {
  readonly kind: "graph";
  readonly title: string;
  readonly metrics: readonly MetricSpec[];
  /** @default "Sum" */
  readonly stat?: Statistic;
  /** Seconds per datapoint. @default 300 */
  readonly period?: number;
  /** @default 6 grid units */
  readonly height?: number;
}

/** A markdown text block. */
export interface TextWidget {
  readonly kind: "text";
  readonly markdown: string;
  /** @default 2 grid units */
  readonly height?: number;
}

export type Widget = GraphWidget | TextWidget;

/** One widget of a dashboard body, positioned. */
export interface DashboardWidget {
  readonly type: "metric" | "text";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

/** What CloudWatch's PutDashboard accepts as `DashboardBody`. */
export interface DashboardBody {
  readonly widgets: DashboardWidget[];
}

/** The dashboard grid is 24 units wide. */
export const GRID_WIDTH = 24;

/** A graph widget. */
export function graph(
  title: string,
  metrics: readonly MetricSpec[],
  options: Omit<GraphWidget, "kind" | "title" | "metrics"> = {},
): GraphWidget {
  return { kind: "graph", title, metrics, ...options };
}

/** A markdown widget. */
export function text(markdown: string, options: Omit<TextWidget, "kind" | "markdown"> = {}): TextWidget {
  return { kind: "text", markdown, ...options };
}

/**
 * Builds a dashboard body row by row. Each row shares the full width between its widgets (the first ones
 * take the remainder when 24 does not divide evenly), and is as tall as its tallest widget.
 */
export class DashboardBuilder {
  private readonly rows: (readonly Widget[])[] = [];

  /** @param region the region every metric widget reads from */
  constructor(private readonly region: string) {}

  /** Appends a row; empty rows are ignored. */
  addRow(...widgets: Widget[]): this {
    if (widgets.length > GRID_WIDTH) throw new Error(`A row holds at most ${GRID_WIDTH} widgets`);
    if (widgets.length > 0) this.rows.push(widgets);
    return this;
  }

  /** The body, with every widget positioned. */
  build(): DashboardBody {
    const widgets: DashboardWidget[] = [];
    let y = 0;
    for (const row of this.rows) {
      const base = Math.floor(GRID_WIDTH / row.length);
      const remainder = GRID_WIDTH - base * row.length;
      let x = 0;
      let rowHeight = 0;
      row.forEach((widget, index) => {
        const width = base + (index < remainder ? 1 : 0);
        const positioned = this.render(widget, x, y, width);
        widgets.push(positioned);
        rowHeight = Math.max(rowHeight, positioned.height);
        x += width;
      });
      y += rowHeight;
    }
    return { widgets };
  }

  private render(widget: Widget, x: number, y: number, width: number): DashboardWidget {
    if (widget.kind === "text") {
      return {
        type: "text",
        x,
        y,
        width,
        height: widget.height ?? 2,
        properties: { markdown: widget.markdown },
      };
    }
    return {
      type: "metric",
      x,
      y,
      width,
      height: widget.height ?? 6,
      properties: {
        title: widget.title,
        view: "timeSeries",
        region: this.region,
        stat: widget.stat ?? "Sum",
        period: widget.period ?? 300,
        metrics: widget.metrics.map(metricArray),
      },
    };
  }
}

/** `["AWS/Lambda", "Errors", "FunctionName", "get-movie-dev", { stat, label }]`: CloudWatch's array form. */
function metricArray(metric: MetricSpec): unknown[] {
  const options = {
    ...(metric.stat ? { stat: metric.stat } : {}),
    ...(metric.label ? { label: metric.label } : {}),
  };
  return [
    metric.namespace,
    metric.metricName,
    ...Object.entries(metric.dimensions).flat(),
    ...(Object.keys(options).length > 0 ? [options] : []),
  ];
}
