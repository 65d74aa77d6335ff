import type { Context } from "aws-lambda";
import { invocationDeadline } from "../shared/deadline";
import { createDocumentClient } from "../shared/dynamodb";
import { requireEnv } from "../shared/env";
import { createLogger } from "../shared/logger";
import { recordsOfBatch, type BatchResult } from "../upload-infos/fan-out";
import { ingestRecords, MAX_LOGGED_REJECTS } from "../upload-infos/ingest";

const table = requireEnv("MOVIE_INFOS_TABLE");
const ddb = createDocumentClient();
const logger = createLogger({ service: "upload-infos-batch" });

/**
 * One batch of a large upload, from the ingestion state machine's Distributed Map: the records Step
 * Functions' CSV reader split from the object, each with its line. They are validated and written by
 * the same code as upload-infos's (`ingestRecords`), and the batch's summary is logged as upload-infos logs
 * an object's ("ingested movie infos", the same fields and metrics) and returned, so the execution's results
 * list every rejected row with its line.
 *
 * A failure (a DynamoDB error, retries stopped by the deadline) is thrown: the map retries the batch, then
 * counts it as failed, and the ResultWriter reports it with its items. Re-writing a batch is idempotent.
 */
export const handler = async (event: unknown, context: Context): Promise<BatchResult> => {
  logger.addContext(context);
  const log = logger.child({ requestId: context.awsRequestId });
  const { input, records } = recordsOfBatch(event);
  const firstLine = records[0]?.line ?? 0;
  const lastLine = records.at(-1)?.line ?? 0;
  try {
    const summary = await ingestRecords({ ddb, table, records, deadline: invocationDeadline(context) });
    log.info("ingested movie infos", {
      ...input,
      firstLine,
      lastLine,
      lines: summary.lines,
      written: summary.written,
      superseded: summary.superseded,
      skipped: summary.skipped,
      rejectedCount: summary.rejectedCount,
      rejected: summary.rejected.slice(0, MAX_LOGGED_REJECTS),
    });
    return { ...input, firstLine, lastLine, ...summary };
  } catch (error) {
    log.error("ingestion failed", { ...input, firstLine, lastLine, error });
    throw error;
  }
};
