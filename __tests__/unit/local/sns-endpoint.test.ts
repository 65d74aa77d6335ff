import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NotFoundException, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { startSnsEndpoint, type SnsEndpoint } from "../../../local/sns-endpoint";

const TOPIC = "arn:aws:sns:eu-central-1:000000000000:customer-notifications-dev";
let dir: string;
let endpoint: SnsEndpoint;
let sns: SNSClient;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "sns-"));
  endpoint = await startSnsEndpoint({ topicArns: [TOPIC], eventsDir: dir, log: () => undefined });
  sns = new SNSClient({
    endpoint: endpoint.endpoint,
    region: "eu-central-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
});
afterEach(async () => {
  sns.destroy();
  await endpoint.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the local SNS Publish", () => {
  it("answers the SDK with a message id, and writes the message in SNS's notification shape to sns_<topic>.jsonl", async () => {
    const { MessageId } = await sns.send(
      new PublishCommand({
        TopicArn: TOPIC,
        Subject: "Hi",
        Message: '{"order_id":"o-1"}',
        MessageAttributes: { channel: { DataType: "String", StringValue: "email" } },
      }),
    );
    const lines = readFileSync(join(dir, "sns_customer-notifications-dev.jsonl"), "utf8").trim().split("\n");
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      {
        Type: "Notification",
        MessageId,
        TopicArn: TOPIC,
        Subject: "Hi",
        Message: '{"order_id":"o-1"}',
        MessageAttributes: { channel: { Type: "String", Value: "email" } },
        Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
  });

  it("answers NotFound for a topic no stack declares", async () => {
    await expect(
      sns.send(new PublishCommand({ TopicArn: `${TOPIC}-other`, Message: "x" })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });
});
