import "../../../helpers/lambda-env";
import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
} from "@aws-sdk/client-dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { handler } from "../../../../lambdas/notify";
import { lambdaContext } from "../../../helpers/context";
import { orderCreatedEvent, sqsEvent, sqsRecord } from "../../../helpers/events";
import { TEST_ENV } from "../../../helpers/lambda-env";
import { captureStdout } from "../../../helpers/logs";

const ddbMock = mockClient(DynamoDBDocumentClient);
const snsMock = mockClient(SNSClient);
let stdout: ReturnType<typeof captureStdout>;

beforeEach(() => {
  ddbMock.reset();
  snsMock.reset();
  ddbMock.on(PutCommand).resolves({});
  ddbMock.on(UpdateCommand).resolves({});
  snsMock.on(PublishCommand).resolves({ MessageId: "sns-1" });
  stdout = captureStdout();
});
afterEach(() => stdout.restore());

const good = (id: string) => sqsRecord(`m-${id}`, orderCreatedEvent(`e-${id}`, { order_id: `o-${id}` }));

describe("notify handler", () => {
  it("reports exactly the one bad record of a batch, and notifies about the others", async () => {
    const bad = sqsRecord("m-bad", "not json", 3);
    const response = await handler(sqsEvent(good("1"), bad, good("2")), lambdaContext);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: "m-bad" }] });
    expect(
      ddbMock.commandCalls(PutCommand).map((c) => (c.args[0].input.Item as { order_id: string }).order_id),
    ).toEqual(["o-1", "o-2"]);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it("reports nothing for a batch that succeeds", async () => {
    await expect(handler(sqsEvent(good("1")), lambdaContext)).resolves.toEqual({ batchItemFailures: [] });
  });

  it("reports a record that is an event but not an OrderCreated, or lacks a field, and writes nothing for it", async () => {
    const wrongType = sqsRecord("m-type", { ...orderCreatedEvent("e-t"), "detail-type": "OrderShipped" });
    const noCustomer = sqsRecord("m-field", orderCreatedEvent("e-f", { customer_id: "" }));
    const response = await handler(sqsEvent(wrongType, noCustomer), lambdaContext);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "m-type" }, { itemIdentifier: "m-field" }]);
    expect(ddbMock.calls()).toHaveLength(0);
    expect(snsMock.calls()).toHaveLength(0);
  });

  it("reports the record whose write DynamoDB throttles, and only it", async () => {
    ddbMock.on(PutCommand).callsFake((input: { Item: { event_id: string } }) => {
      if (input.Item.event_id === "e-2") {
        throw new ProvisionedThroughputExceededException({ message: "slow down", $metadata: {} });
      }
      return {};
    });
    const response = await handler(sqsEvent(good("1"), good("2")), lambdaContext);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "m-2" }]);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it("does nothing for a redelivered event that was sent, and does not report it", async () => {
    ddbMock.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {} }));
    ddbMock.on(GetCommand).resolves({ Item: { event_id: "e-1", status: "SENT" } });
    const response = await handler(sqsEvent(good("1")), lambdaContext);

    expect(response.batchItemFailures).toEqual([]);
    expect(snsMock.calls()).toHaveLength(0);
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it("writes the record to NOTIFICATIONS_TABLE, publishes to NOTIFICATIONS_TOPIC_ARN with the channel, marks it SENT", async () => {
    await handler(sqsEvent(good("1")), lambdaContext);

    const put = ddbMock.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      TableName: TEST_ENV.NOTIFICATIONS_TABLE,
      ConditionExpression: "attribute_not_exists(#key)",
      ExpressionAttributeNames: { "#key": "event_id" },
      Item: {
        event_id: "e-1",
        order_id: "o-1",
        customer_id: "c-1",
        channel: "email",
        status: "PENDING",
        attempts: 1,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    });
    const publish = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(publish?.TopicArn).toBe(TEST_ENV.NOTIFICATIONS_TOPIC_ARN);
    expect(publish?.MessageAttributes).toEqual({
      channel: { DataType: "String", StringValue: "email" },
      event_id: { DataType: "String", StringValue: "e-1" },
    });
    expect(JSON.parse(String(publish?.Message))).toMatchObject({ event_id: "e-1", order_id: "o-1" });
    expect(ddbMock.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      Key: { event_id: "e-1" },
      ConditionExpression: "#status = :pending",
      ExpressionAttributeValues: expect.objectContaining({ ":sent": "SENT", ":messageId": "sns-1" }),
    });
  });

  it("logs each failed record at ERROR with its message id and receive count, never its body", async () => {
    await handler(sqsEvent(sqsRecord("m-bad", '{"secret": "c-1@example.com"', 4)), lambdaContext);

    const errors = stdout.lines().filter((line) => line.level === "ERROR");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ message: "record failed", messageId: "m-bad", receiveCount: 4 });
    expect(JSON.stringify(errors[0])).not.toContain("example.com");
  });
});
