import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import {
  MESSAGE_ATTRIBUTES,
  NOTIFICATION_CHANNEL,
  NOTIFICATION_KEY,
  type NotificationRecord,
} from "./contract";
import type { OrderCreated } from "./event";

/** Where notifications are recorded and published. */
export interface NotifyDependencies {
  readonly ddb: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly sns: SNSClient;
  readonly topicArn: string;
  /** @default the current time */
  readonly now?: () => Date;
}

export interface NotifyOptions {
  /**
   * How long this invocation may take to publish, in milliseconds: the Lambda's remaining time. Until
   * then no redelivery of the same event publishes; after it, one may (this invocation is gone).
   */
  readonly leaseMs: number;
}

/**
 * What `notify` did: `sent` (first delivery), `resumed` (a redelivery finished what an invocation that
 * died after the record left PENDING), `duplicate` (the event was notified already: nothing done).
 */
export type NotifyOutcome = "sent" | "resumed" | "duplicate";

/**
 * Another invocation holds the event's lease (it is publishing now, or died less than a lease ago): the
 * record is reported as failed, so SQS redelivers it after the visibility timeout, when that one is done.
 */
export class NotificationInProgressError extends Error {
  constructor(eventId: string, options?: ErrorOptions) {
    super(`The notification of event ${eventId} is being sent by another invocation`, options);
    this.name = "NotificationInProgressError";
  }
}

const PENDING = "PENDING";
const SENT = "SENT";

/** A DynamoDB condition failure, and only that; anything else is rethrown by the caller. */
const conditionFailed = (error: unknown): error is ConditionalCheckFailedException =>
  error instanceof ConditionalCheckFailedException;

/** The message the customer-facing channel receives. */
function message(event: OrderCreated) {
  const { order_id, customer_id, total_cents, item_count, created_at } = event.detail;
  return {
    event_id: event.eventId,
    channel: NOTIFICATION_CHANNEL,
    order_id,
    customer_id,
    total_cents,
    item_count,
    order_created_at: created_at,
    text: `Thank you for your order ${order_id}: ${item_count} line(s), ${(total_cents / 100).toFixed(2)} in total.`,
  };
}

/**
 * Turns one OrderCreated into one notification, however often SQS delivers it: a record in the
 * notifications table (order, customer, channel, created_at, status) and a message on the topic.
 *
 * Idempotent per event id, with a record that goes PENDING → SENT under conditions:
 * 1. **Claim.** A conditional PutItem (`attribute_not_exists(event_id)`) writes the record PENDING with a
 *    lease (now + `leaseMs`, the invocation's remaining time). Exactly one delivery of the event wins it.
 *    A later delivery reads the record (consistent read): SENT → nothing more to do (`duplicate`); PENDING
 *    with a live lease → another invocation is publishing ({@link NotificationInProgressError}, retried);
 *    PENDING with an expired lease → the invocation that wrote it died between the record and the publish,
 *    so this one takes the lease over with a conditional UpdateItem on the lease it read (only one
 *    redelivery can) and carries on (`resumed`).
 * 2. **Publish** to the topic.
 * 3. **Mark SENT** (condition: still PENDING), with the message id.
 *
 * So a crash before the publish is retried to completion, never skipped; nothing is published twice
 * unless an invocation dies after the publish and before step 3 (or outlives its lease), when the
 * redelivery publishes again: at least once, as SNS itself delivers. The message carries the event id (as
 * a message attribute too) so that a subscriber can drop that rare duplicate.
 */
export async function notify(
  deps: NotifyDependencies,
  event: OrderCreated,
  options: NotifyOptions,
): Promise<NotifyOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const claimed = await claim(deps, event, now, now.getTime() + options.leaseMs);
  if (claimed === "duplicate") return claimed;
  const published = await deps.sns.send(
    new PublishCommand({
      TopicArn: deps.topicArn,
      Subject: "Your order was received",
      Message: JSON.stringify(message(event)),
      MessageAttributes: {
        [MESSAGE_ATTRIBUTES.channel]: { DataType: "String", StringValue: NOTIFICATION_CHANNEL },
        [MESSAGE_ATTRIBUTES.eventId]: { DataType: "String", StringValue: event.eventId },
      },
    }),
  );
  await markSent(deps, event.eventId, (deps.now ?? (() => new Date()))(), published.MessageId);
  return claimed;
}

/** Step 1 of {@link notify}: `sent` or `resumed` when this invocation holds the lease now. */
async function claim(
  deps: NotifyDependencies,
  event: OrderCreated,
  now: Date,
  leaseUntil: number,
): Promise<NotifyOutcome> {
  const record: NotificationRecord = {
    event_id: event.eventId,
    order_id: event.detail.order_id,
    customer_id: event.detail.customer_id,
    channel: NOTIFICATION_CHANNEL,
    status: PENDING,
    created_at: now.toISOString(),
    lease_until: leaseUntil,
    attempts: 1,
  };
  try {
    await deps.ddb.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: record,
        ConditionExpression: "attribute_not_exists(#key)",
        ExpressionAttributeNames: { "#key": NOTIFICATION_KEY },
      }),
    );
    return "sent";
  } catch (error) {
    if (!conditionFailed(error)) throw error;
  }
  const existing = await deps.ddb.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: { [NOTIFICATION_KEY]: event.eventId },
      ConsistentRead: true,
    }),
  );
  const item = existing.Item as NotificationRecord | undefined;
  if (item?.status === SENT) return "duplicate";
  if (!item || item.lease_until > now.getTime()) throw new NotificationInProgressError(event.eventId);
  try {
    await deps.ddb.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: { [NOTIFICATION_KEY]: event.eventId },
        UpdateExpression: "SET lease_until = :lease, attempts = attempts + :one",
        ConditionExpression: "#status = :pending AND lease_until = :seen",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: {
          ":lease": leaseUntil,
          ":one": 1,
          ":pending": PENDING,
          ":seen": item.lease_until,
        },
      }),
    );
    return "resumed";
  } catch (error) {
    // Another redelivery took the lease over first, or finished.
    if (conditionFailed(error)) throw new NotificationInProgressError(event.eventId, { cause: error });
    throw error;
  }
}

/** Step 3 of {@link notify}. Already SENT (by a redelivery that took an expired lease over) is fine. */
async function markSent(
  deps: NotifyDependencies,
  eventId: string,
  now: Date,
  messageId: string | undefined,
): Promise<void> {
  try {
    await deps.ddb.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: { [NOTIFICATION_KEY]: eventId },
        UpdateExpression: "SET #status = :sent, sent_at = :now, message_id = :messageId REMOVE lease_until",
        ConditionExpression: "#status = :pending",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: {
          ":sent": SENT,
          ":pending": PENDING,
          ":now": now.toISOString(),
          ":messageId": messageId ?? "unknown",
        },
      }),
    );
  } catch (error) {
    if (!conditionFailed(error)) throw error;
  }
}
