import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { Logger } from "./logger";

/**
 * Processes each record of an SQS batch on its own and answers with a partial batch response: the
 * `itemIdentifier` (message id) of every record that failed, and of no other, so with
 * `function_response_types = ["ReportBatchItemFailures"]` Lambda deletes the records that succeeded
 * and only the failed ones come back (after the visibility timeout; to the DLQ after the queue's
 * `maxReceiveCount`). The handler itself never throws for a record: an exception would return the whole
 * batch, and redo what succeeded.
 *
 * Records run concurrently (a batch is small: the event source mapping's `batch_size`). Each failure is
 * logged at ERROR with the message id and its receive count (never the body: it holds personal data),
 * which is what the function's error-log alarm counts: Lambda's own `Errors` stays 0 for a partial failure.
 */
export async function processBatch(
  event: SQSEvent,
  processRecord: (record: SQSRecord) => Promise<void>,
  logger: Logger,
): Promise<SQSBatchResponse> {
  const results = await Promise.allSettled(event.Records.map((record) => processRecord(record)));
  const batchItemFailures: SQSBatchItemFailure[] = [];
  results.forEach((result, index) => {
    if (result.status === "fulfilled") return;
    const record = event.Records[index] as SQSRecord;
    batchItemFailures.push({ itemIdentifier: record.messageId });
    logger.error("record failed", {
      messageId: record.messageId,
      receiveCount: Number(record.attributes.ApproximateReceiveCount),
      error: result.reason as unknown,
    });
  });
  return { batchItemFailures };
}
