import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQSEvent } from "aws-lambda";
import { declaredRules } from "../../../local/event-path";
import { declaredQueueConsumers, LocalQueues, type DeclaredQueueConsumer } from "../../../local/sqs-queues";
import { resolvedLinks, TerraformResolver } from "../../../local/terraform";
import { synthesized } from "../../helpers/synth";

const stacks = () => [
  { name: "orders-dev", json: synthesized("orders-dev") },
  { name: "notifications-dev", json: synthesized("notifications-dev") },
];
const notifications = () =>
  new TerraformResolver(synthesized("notifications-dev"), {
    region: "eu-central-1",
    links: resolvedLinks(stacks()),
  });

describe("service links in a local run", () => {
  it("resolves each published link as its producer's stack resolves it", () => {
    expect(resolvedLinks(stacks())).toEqual(new Map([["/movies-cdktf/dev/orders/bus-name", "orders-dev"]]));
  });

  it("puts the notifications rule on the orders bus, through the link", () => {
    expect(
      declaredRules(notifications()).map((r) => [r.name, r.busName, r.targets.map((t) => t.arn)]),
    ).toEqual([
      ["notify-order-created-dev", "orders-dev", ["arn:aws:sqs:eu-central-1:000000000000:notify-dev"]],
    ]);
  });

  it("fails, naming the parameter, when no stack of the run publishes the link", () => {
    const alone = new TerraformResolver(synthesized("notifications-dev"), { region: "eu-central-1" });
    expect(() => declaredRules(alone)).toThrow(
      "/movies-cdktf/dev/orders/bus-name is published by none of the stacks served",
    );
  });
});

describe("declaredQueueConsumers", () => {
  it("reads the notify queue's event source mapping, with its batch size and redrive policy", () => {
    expect(declaredQueueConsumers(notifications())).toEqual([
      {
        address: "aws_lambda_event_source_mapping.notify_queue_event_source",
        queueName: "notify-dev",
        queueArn: "arn:aws:sqs:eu-central-1:000000000000:notify-dev",
        functionName: "notify-dev",
        batchSize: 10,
        reportsBatchItemFailures: true,
        deadLetter: { queueArn: "arn:aws:sqs:eu-central-1:000000000000:notify-dlq-dev", maxReceiveCount: 5 },
      },
    ]);
  });
});

describe("LocalQueues", () => {
  const consumer: DeclaredQueueConsumer = {
    address: "aws_lambda_event_source_mapping.q",
    queueName: "q-dev",
    queueArn: "arn:aws:sqs:eu-central-1:000000000000:q-dev",
    functionName: "fn-dev",
    batchSize: 10,
    reportsBatchItemFailures: true,
    deadLetter: { queueArn: "arn:aws:sqs:eu-central-1:000000000000:q-dlq-dev", maxReceiveCount: 2 },
  };
  let dir: string;
  let queues: LocalQueues | undefined;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "queues-"))));
  afterEach(async () => {
    await queues?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("redelivers only the records the function reports, and dead-letters one after maxReceiveCount receives", async () => {
    const received: { body: string; count: string }[] = [];
    queues = new LocalQueues({
      eventsDir: dir,
      region: "eu-central-1",
      log: () => undefined,
      pollMs: 10,
      retryDelayMs: 10,
      invoke: async (_name, event) => {
        const records = (event as SQSEvent).Records;
        for (const r of records) received.push({ body: r.body, count: r.attributes.ApproximateReceiveCount });
        const failures = records
          .filter((r) => r.body === "poison")
          .map((r) => ({ itemIdentifier: r.messageId }));
        return { ok: true, result: { batchItemFailures: failures } } as never;
      },
    });
    queues.update([consumer]);
    expect(queues.send(consumer.queueArn, "good")).toBe(true);
    expect(queues.send(consumer.queueArn, "poison")).toBe(true);
    expect(queues.send("arn:aws:sqs:eu-central-1:000000000000:nobody-reads-me", "x")).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(received).toEqual([
      { body: "good", count: "1" },
      { body: "poison", count: "1" },
      { body: "poison", count: "2" },
    ]);
    expect(readFileSync(join(dir, "sqs_q-dlq-dev.jsonl"), "utf8")).toBe("poison\n");
  });
});
