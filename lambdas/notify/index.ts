import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createDocumentClient } from "../shared/dynamodb";
import { requireEnv } from "../shared/env";
import { createLogger } from "../shared/logger";
import { createSnsClient } from "../shared/sns";
import { processBatch } from "../shared/sqs-batch";
import { parseOrderCreated } from "./event";
import { notify, type NotifyDependencies } from "./notifications";

const deps: NotifyDependencies = {
  ddb: createDocumentClient(),
  tableName: requireEnv("NOTIFICATIONS_TABLE"),
  sns: createSnsClient(),
  topicArn: requireEnv("NOTIFICATIONS_TOPIC_ARN"),
};
const logger = createLogger({ service: "notifications" });

/**
 * The notify function, fed by the notifications queue's event source mapping: each message is one
 * OrderCreated event (the orders bus's rule delivers the whole event). Each record is parsed and
 * validated, then notified about once (lambdas/notify/notifications.ts); the answer lists the records
 * that failed, so only those are redelivered (`ReportBatchItemFailures`), and a record that fails every
 * time (not an OrderCreated, say) reaches the queue's DLQ after `maxReceiveCount` receives.
 */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  const log = logger.child({ requestId: context.awsRequestId });
  return processBatch(
    event,
    async (record) => {
      const orderCreated = parseOrderCreated(record.body);
      const outcome = await notify(deps, orderCreated, { leaseMs: context.getRemainingTimeInMillis() });
      log.info("notified", {
        messageId: record.messageId,
        eventId: orderCreated.eventId,
        orderId: orderCreated.detail.order_id,
        outcome,
      });
    },
    log,
  );
}
