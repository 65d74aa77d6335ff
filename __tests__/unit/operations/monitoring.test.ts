import { Aspects, Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DashboardBuilder, graph, text, type DashboardBody } from "../../../operations/dashboard";
import { decodeJsonencode } from "../../../tooling/hcl-expression";
import { Monitoring } from "../../../operations/monitoring";
import { Table } from "../../../constructs/table";
import { synthesize, synthesized } from "../../helpers/synth";

const metric = { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: "f" } };

describe("DashboardBuilder", () => {
  it("shares each row's 24 columns, gives the remainder to the first widgets, and stacks rows", () => {
    const body = new DashboardBuilder("eu-west-1")
      .addRow(text("# title"))
      .addRow(
        graph("a", [metric]),
        graph("b", [metric]),
        graph("c", [metric]),
        graph("d", [metric]),
        graph("e", [metric]),
      )
      .addRow()
      .addRow(
        graph("f", [{ ...metric, stat: "p99", label: "p99" }], { stat: "Average", period: 60, height: 4 }),
      )
      .build();
    expect(body.widgets.map((w) => [w.type, w.x, w.y, w.width, w.height])).toEqual([
      ["text", 0, 0, 24, 2],
      ["metric", 0, 2, 5, 6],
      ["metric", 5, 2, 5, 6],
      ["metric", 10, 2, 5, 6],
      ["metric", 15, 2, 5, 6],
      ["metric", 20, 2, 4, 6],
      ["metric", 0, 8, 24, 4],
    ]);
    expect(body.widgets[0]?.properties).toEqual({ markdown: "# title" });
    expect(body.widgets[6]?.properties).toEqual({
      title: "f",
      view: "timeSeries",
      region: "eu-west-1",
      stat: "Average",
      period: 60,
      metrics: [["AWS/Lambda", "Errors", "FunctionName", "f", { stat: "p99", label: "p99" }]],
    });
    expect(body.widgets[1]?.properties).toMatchObject({
      stat: "Sum",
      period: 300,
      metrics: [["AWS/Lambda", "Errors", "FunctionName", "f"]],
    });
  });

  it("refuses a row wider than the grid", () => {
    expect(() => new DashboardBuilder("r").addRow(...Array.from({ length: 25 }, () => text("x")))).toThrow(
      "A row holds at most 24 widgets",
    );
  });
});

describe("Monitoring", () => {
  it("watches nothing unless applied: a Table in a plain stack adds no alarm, topic or key", () => {
    const stack = new TerraformStack(Testing.app(), "scratch");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    new Table(stack, "things_table", {
      name: "things",
      environment: "scratch",
      hashKey: { name: "id", type: "S" },
    });
    const synth = synthesize(stack);
    expect(Object.keys(synth.resource)).toEqual(["aws_dynamodb_table"]);
  });

  it("applied to a stack, watches what its resources describe, and reads the provider's region", () => {
    const stack = new TerraformStack(Testing.app(), "scratch");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const monitoring = Monitoring.applyTo(stack, { environment: "scratch", service: "stack" });
    new Table(stack, "things_table", {
      name: "things",
      environment: "scratch",
      hashKey: { name: "id", type: "S" },
    });
    expect(Aspects.of(stack).all).toContain(monitoring);
    const synth = synthesize(stack);
    expect(synth.resource.aws_sns_topic?.alerts).toMatchObject({ name: "stack-alerts-scratch" });
    expect(synth.resource.aws_cloudwatch_metric_alarm?.things_table_throttles).toMatchObject({
      alarm_actions: ["${aws_sns_topic.alerts.arn}"],
    });
    const body = decodeJsonencode(
      synth.resource.aws_cloudwatch_dashboard?.dashboard?.dashboard_body as string,
    ) as DashboardBody;
    expect(body.widgets[1]?.properties.region).toBe("${data.aws_region.current_region.region}");
    expect(synth.data.aws_region?.current_region).toBeDefined();
    expect(synth.resource.aws_cloudwatch_dashboard?.dashboard).toMatchObject({
      dashboard_name: "stack-scratch",
    });
  });

  it("watches once, however often the stack is synthesized", () => {
    const stack = new TerraformStack(Testing.app(), "scratch");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    Monitoring.applyTo(stack, { environment: "scratch", service: "stack", region: "eu-west-1" });
    new Table(stack, "things_table", {
      name: "things",
      environment: "scratch",
      hashKey: { name: "id", type: "S" },
    });
    expect(synthesize(stack).json).toBe(synthesize(stack).json);
  });

  it("must live on its stack under its well-known id", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    expect(() => new Monitoring(stack, "alarms", { environment: "e", service: "s" })).toThrow(
      'Monitoring must be created on its stack with id "monitoring"',
    );
  });

  it("takes extra alarms and dashboard rows", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const monitoring = new Monitoring(stack, "monitoring", {
      environment: "e",
      service: "orders",
      region: "eu-west-1",
    });
    monitoring.addAlarm("orders_bus_failed_invocations", {
      alarmName: "orders-bus-failed",
      namespace: "AWS/Events",
      metricName: "FailedInvocations",
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
    });
    monitoring.addDashboardRow(
      graph("Orders: failed rule invocations", [{ ...metric, namespace: "AWS/Events" }]),
    );
    const synth = synthesize(stack);
    expect(synth.resource.aws_cloudwatch_metric_alarm?.orders_bus_failed_invocations).toMatchObject({
      alarm_name: "orders-bus-failed",
      alarm_actions: ["${aws_sns_topic.alerts.arn}"],
      ok_actions: ["${aws_sns_topic.alerts.arn}"],
    });
    const body = decodeJsonencode(
      synth.resource.aws_cloudwatch_dashboard?.dashboard?.dashboard_body as string,
    ) as DashboardBody;
    expect(body.widgets.map((w) => w.properties.title)).toEqual([
      undefined,
      "Orders: failed rule invocations",
    ]);
    expect(synth.resource.aws_cloudwatch_dashboard?.dashboard).toMatchObject({ dashboard_name: "orders-e" });
  });
});

describe("Monitoring of a container service (catalog-dev)", () => {
  const catalog = () => synthesized("catalog-dev");
  const dimensions = {
    ClusterName: "${aws_ecs_cluster.catalog.name}",
    ServiceName: "${aws_ecs_service.catalog.name}",
  };

  it("alarms on CPU and memory above 80% for 15 minutes", () => {
    const alarms = catalog().resource.aws_cloudwatch_metric_alarm ?? {};
    for (const [name, metricName] of [
      ["catalog_cpu_high", "CPUUtilization"],
      ["catalog_memory_high", "MemoryUtilization"],
    ]) {
      expect(alarms[name as string]).toMatchObject({
        namespace: "AWS/ECS",
        metric_name: metricName,
        dimensions,
        statistic: "Average",
        period: 300,
        evaluation_periods: 3,
        threshold: 80,
        comparison_operator: "GreaterThanThreshold",
        alarm_actions: ["${aws_sns_topic.alerts.arn}"],
      });
    }
  });

  it("alarms when fewer tasks run than desired for 5 minutes (Container Insights), and on any 5xx of the HTTP API", () => {
    const alarms = catalog().resource.aws_cloudwatch_metric_alarm ?? {};
    expect(alarms.catalog_tasks_below_desired).toMatchObject({
      evaluation_periods: 5,
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      metric_query: [
        { id: "missing", expression: "FILL(desired, 0) - FILL(running, 0)", return_data: true },
        {
          id: "desired",
          metric: {
            namespace: "ECS/ContainerInsights",
            metric_name: "DesiredTaskCount",
            dimensions,
            period: 60,
          },
        },
        {
          id: "running",
          metric: {
            namespace: "ECS/ContainerInsights",
            metric_name: "RunningTaskCount",
            dimensions,
            period: 60,
          },
        },
      ],
    });
    expect(alarms.catalog_api_5xx_errors).toMatchObject({
      namespace: "AWS/ApiGateway",
      metric_name: "5xx",
      dimensions: { ApiId: "${aws_apigatewayv2_api.catalog_api.id}", Stage: "$default" },
      statistic: "Sum",
      threshold: 1,
    });
  });

  it("adds the HTTP API's and the service's rows to the dashboard", () => {
    const body = decodeJsonencode(
      catalog().resource.aws_cloudwatch_dashboard?.dashboard?.dashboard_body as string,
    ) as DashboardBody;
    const titles = body.widgets.map((w) => w.properties.title).filter(Boolean);
    expect(titles).toEqual([
      "HTTP API ${aws_ecs_service.catalog.name}: requests",
      "HTTP API ${aws_ecs_service.catalog.name}: latency (ms)",
      "HTTP API ${aws_ecs_service.catalog.name}: errors",
      "ECS ${aws_ecs_service.catalog.name}: CPU and memory (%)",
      "ECS ${aws_ecs_service.catalog.name}: tasks",
    ]);
  });
});
