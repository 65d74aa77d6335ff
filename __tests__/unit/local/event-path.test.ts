import {
  busEvent,
  declaredPipes,
  declaredRules,
  deliveryFile,
  pipeRecord,
  targetInput,
} from "../../../local/event-path";
import { jsonPath, renderInputTransformer, renderPipeTemplate } from "../../../local/input-templates";
import { TerraformResolver } from "../../../local/terraform";
import { synthesized } from "../../helpers/synth";

const resolver = () => new TerraformResolver(synthesized("orders-dev"), { region: "eu-central-1" });

describe("the orders stack's event path, read from cdk.tf.json", () => {
  it("reads the pipe: its table's stream, filter, template and bus", () => {
    const { pipes, unsupported } = declaredPipes(resolver());
    expect(unsupported).toEqual([]);
    expect(pipes).toEqual([
      {
        address: "aws_pipes_pipe.order_created_pipe",
        name: "order-created-dev",
        arn: "arn:aws:pipes:eu-central-1:000000000000:pipe/order-created-dev",
        tableName: "orders-dev",
        startingPosition: "LATEST",
        filters: [{ eventName: ["INSERT"], dynamodb: { NewImage: { record_type: { S: ["ORDER"] } } } }],
        inputTemplate: expect.stringContaining('"order_id": "<$.dynamodb.NewImage.order_id.S>"'),
        busName: "orders-dev",
        busArn: "arn:aws:events:eu-central-1:000000000000:event-bus/orders-dev",
        detailType: "OrderCreated",
        source: "orders.service",
        resources: [],
      },
    ]);
  });

  it("reads the rule's pattern and both targets", () => {
    expect(declaredRules(resolver())).toEqual([
      {
        address: "aws_cloudwatch_event_rule.order_created_rule",
        name: "order-created-dev",
        arn: "arn:aws:events:eu-central-1:000000000000:rule/orders-dev/order-created-dev",
        busName: "orders-dev",
        pattern: { source: ["orders.service"], "detail-type": ["OrderCreated"] },
        targets: [
          {
            targetId: "order_created_queue_target",
            arn: "arn:aws:sqs:eu-central-1:000000000000:order-created-dev",
            file: "sqs_order-created-dev.jsonl",
          },
          {
            targetId: "order_notifications_target",
            arn: "arn:aws:sns:eu-central-1:000000000000:order-notifications-dev",
            file: "sns_order-notifications-dev.jsonl",
          },
        ],
      },
    ]);
  });

  it("renders the pipe's template from a stream record into the OrderCreated detail", () => {
    const [pipe] = declaredPipes(resolver()).pipes;
    const record = pipeRecord(
      {
        eventID: "e1",
        eventName: "INSERT",
        dynamodb: {
          ApproximateCreationDateTime: new Date(1_700_000_000_000),
          NewImage: {
            order_id: { S: "o-1" },
            customer_id: { S: "c-1" },
            total_cents: { N: "2598" },
            item_count: { N: "1" },
            created_at: { S: "2025-01-31T12:00:00.000Z" },
            record_type: { S: "ORDER" },
          },
        },
      },
      "arn:stream",
      "eu-central-1",
    );
    expect(record).toMatchObject({
      eventSource: "aws:dynamodb",
      awsRegion: "eu-central-1",
      eventSourceARN: "arn:stream",
    });
    expect((record.dynamodb as { ApproximateCreationDateTime: number }).ApproximateCreationDateTime).toBe(
      1_700_000_000,
    );
    const rendered = renderPipeTemplate(pipe?.inputTemplate as string, record, {
      ...{ pipeArn: "p", pipeName: "n", sourceArn: "s", targetArn: "t" },
      ingestionTime: "now",
    });
    expect(JSON.parse(rendered)).toEqual({
      order_id: "o-1",
      customer_id: "c-1",
      total_cents: 2598,
      item_count: 1,
      created_at: "2025-01-31T12:00:00.000Z",
    });
    const event = busEvent(pipe as never, JSON.parse(rendered), {
      region: "eu-central-1",
      accountId: "000000000000",
    });
    expect(event).toMatchObject({
      version: "0",
      "detail-type": "OrderCreated",
      source: "orders.service",
      account: "000000000000",
    });
  });
});

describe("input templates and target inputs", () => {
  const event = { id: "1", time: "2025-01-01T00:00:00Z", detail: { a: { b: [10, 20] }, s: 'say "hi"' } };

  it("reads JSON paths", () => {
    expect(jsonPath(event, "$.detail.a.b[1]")).toBe(20);
    expect(jsonPath(event, "$['detail'].s")).toBe('say "hi"');
    expect(jsonPath(event, "$")).toBe(event);
    expect(jsonPath(event, "$.nope.x")).toBeUndefined();
  });

  it("writes strings raw, escaped inside quotes, and other values as JSON", () => {
    const transformer = {
      inputPaths: { s: "$.detail.s", b: "$.detail.a.b", none: "$.x" },
      inputTemplate: '{"s": "<s>", "b": <b>, "n": "<none>", "r": "<aws.events.rule-name>"}',
    };
    expect(JSON.parse(renderInputTransformer(transformer, event, { arn: "a", name: "r1" }))).toEqual({
      s: 'say "hi"',
      b: [10, 20],
      n: "",
      r: "r1",
    });
    expect(
      renderInputTransformer({ inputPaths: { s: "$.detail.s" }, inputTemplate: "Hello <s> <other>" }, event, {
        arn: "a",
        name: "r",
      }),
    ).toBe('Hello say "hi" <other>');
  });

  it("gives each target the event, or its input, input path or transformed input", () => {
    const rule = { arn: "arn:rule", name: "r" };
    const target = { targetId: "t", arn: "arn:aws:sqs:r:1:q", file: "f" };
    expect(targetInput(target, event, rule)).toBe(event);
    expect(targetInput({ ...target, input: '{"fixed":true}' }, event, rule)).toEqual({ fixed: true });
    expect(targetInput({ ...target, inputPath: "$.detail.a" }, event, rule)).toEqual({ b: [10, 20] });
    expect(
      targetInput(
        { ...target, inputTransformer: { inputPaths: { i: "$.id" }, inputTemplate: "id <i>" } },
        event,
        rule,
      ),
    ).toBe("id 1");
    expect(deliveryFile("arn:aws:lambda:eu-central-1:0:function:f-dev")).toBe("lambda_f-dev.jsonl");
  });
});
