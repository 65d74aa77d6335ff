import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { parseOrderCreated } from "../../lambdas/notify/event";
import {
  notify,
  NotificationInProgressError,
  type NotifyDependencies,
} from "../../lambdas/notify/notifications";
import { orderCreatedEvent } from "../helpers/events";
import { startLocalAws, type LocalAws } from "../helpers/local-aws";
import { synthesized } from "../helpers/synth";

const TOPIC = "arn:aws:sns:eu-central-1:000000000000:customer-notifications-dev";
const LEASE_MS = 10_000;
let local: LocalAws;
let ddb: DynamoDBDocumentClient;
let table: string;
const sns = new SNSClient({ region: "eu-central-1" });
const snsMock = mockClient(sns);

beforeAll(async () => {
  local = await startLocalAws(synthesized("notifications-dev"));
  ddb = DynamoDBDocumentClient.from(local.ddbClient);
  table = `notifications-dev${local.nameSuffix}`;
}, 60_000);
afterAll(async () => {
  await local?.stop();
  sns.destroy();
});
beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: "sns-message-1" });
});

/** The dependencies of `notify` on DynamoDB Local, at a given clock. */
const deps = (now = () => new Date()): NotifyDependencies => ({
  ddb,
  tableName: table,
  sns,
  topicArn: TOPIC,
  now,
});
const event = (id: string) =>
  parseOrderCreated(JSON.stringify(orderCreatedEvent(id, { order_id: `order-${id}` })));

async function records(eventId: string) {
  const { Items = [] } = await ddb.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  return Items.filter((item) => item.event_id === eventId);
}

describe("notify on DynamoDB Local", () => {
  it("creates the stack's notifications table, keyed by event id", () => {
    expect(local.tables.map((t) => [t.input.TableName, t.input.KeySchema])).toEqual([
      [table, [{ AttributeName: "event_id", KeyType: "HASH" }]],
    ]);
  });

  it("writes one record and publishes once however often the same event is delivered", async () => {
    const outcomes = [];
    for (let i = 0; i < 3; i++)
      outcomes.push(await notify(deps(), event("redelivered"), { leaseMs: LEASE_MS }));

    expect(outcomes).toEqual(["sent", "duplicate", "duplicate"]);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    expect(await records("redelivered")).toEqual([
      {
        event_id: "redelivered",
        order_id: "order-redelivered",
        customer_id: "c-1",
        channel: "email",
        status: "SENT",
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        sent_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        message_id: "sns-message-1",
        attempts: 1,
      },
    ]);
  });

  it("publishes once when two deliveries of one event run at the same time", async () => {
    const settled = await Promise.allSettled(
      [1, 2].map(() => notify(deps(), event("concurrent"), { leaseMs: LEASE_MS })),
    );

    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    const fulfilled = settled.filter((s) => s.status === "fulfilled").map((s) => s.value);
    const rejected = settled.filter((s) => s.status === "rejected").map((s) => s.reason as Error);
    // The loser finds the record PENDING under the winner's lease (retried later), or already SENT.
    expect([...fulfilled, ...rejected.map((e) => e.name)].sort()).toEqual(expect.arrayContaining(["sent"]));
    for (const error of rejected) expect(error).toBeInstanceOf(NotificationInProgressError);
    expect(await records("concurrent")).toHaveLength(1);
  });

  it("finishes, on a redelivery after the lease, what an invocation that died before publishing left PENDING", async () => {
    const start = Date.parse("2025-01-31T12:00:00.000Z");
    snsMock
      .on(PublishCommand)
      .rejectsOnce(new Error("the invocation died here"))
      .resolves({ MessageId: "sns-2" });
    await expect(
      notify(
        deps(() => new Date(start)),
        event("crashed"),
        { leaseMs: LEASE_MS },
      ),
    ).rejects.toThrow("the invocation died here");
    expect(await records("crashed")).toMatchObject([{ status: "PENDING", attempts: 1 }]);

    // Within the lease: the first invocation might still be publishing, so nothing is done.
    await expect(
      notify(
        deps(() => new Date(start + LEASE_MS - 1)),
        event("crashed"),
        { leaseMs: LEASE_MS },
      ),
    ).rejects.toBeInstanceOf(NotificationInProgressError);
    // After it: taken over, published, SENT.
    await expect(
      notify(
        deps(() => new Date(start + LEASE_MS + 1)),
        event("crashed"),
        { leaseMs: LEASE_MS },
      ),
    ).resolves.toBe("resumed");

    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(2);
    const [record] = await records("crashed");
    expect(record).toMatchObject({ status: "SENT", attempts: 2, message_id: "sns-2" });
    expect(record).not.toHaveProperty("lease_until");
    await expect(notify(deps(), event("crashed"), { leaseMs: LEASE_MS })).resolves.toBe("duplicate");
  });
});
