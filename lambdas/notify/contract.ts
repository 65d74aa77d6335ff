/**
 * The notifications service's contracts, shared by the notify Lambda (what it stores and publishes) and
 * the stack (the table's key, the topic's message attributes), so the two cannot drift apart. No imports:
 * infra code may import this file, and it must not pull Lambda code with it.
 */

/** The partition key of the notifications table: the id of the `OrderCreated` event notified about. */
export const NOTIFICATION_KEY = "event_id";

/** The customer-facing channel each OrderCreated is notified on (a message attribute subscribers filter on). */
export const NOTIFICATION_CHANNEL = "email";

/**
 * A notification's status: `PENDING` from its record until the topic has the message, then `SENT`. A
 * `PENDING` record whose lease has run out is one whose invocation died between the record and the publish.
 */
export type NotificationStatus = "PENDING" | "SENT";

/** A notification as the table holds it. */
export interface NotificationRecord {
  /** The EventBridge id of the OrderCreated event: one notification per event, whatever SQS redelivers. */
  readonly event_id: string;
  readonly order_id: string;
  readonly customer_id: string;
  readonly channel: string;
  readonly status: NotificationStatus;
  /** ISO 8601, UTC: when the record was first written. */
  readonly created_at: string;
  /**
   * Epoch milliseconds until which the invocation that wrote or claimed the record may publish; another
   * one takes over only after it (see notifications.ts).
   */
  readonly lease_until: number;
  /** Publish attempts so far (1 on the first). */
  readonly attempts: number;
  /** ISO 8601, UTC; set with `SENT`. */
  readonly sent_at?: string;
  /** The topic's id of the published message; set with `SENT`. */
  readonly message_id?: string;
}

/** The message attributes of every published notification. */
export const MESSAGE_ATTRIBUTES = {
  /** {@link NOTIFICATION_CHANNEL}: subscribers of one channel filter on it. */
  channel: "channel",
  /** The event id, so a subscriber can drop the rare duplicate (see notifications.ts). */
  eventId: "event_id",
} as const;
