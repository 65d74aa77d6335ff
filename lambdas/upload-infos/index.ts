import type { Context, S3Event, S3EventRecord } from "aws-lambda";
import { invocationDeadline } from "../shared/deadline";
import { createDocumentClient } from "../shared/dynamodb";
import { requireEnv } from "../shared/env";
import { createLogger } from "../shared/logger";
import { createS3Client } from "../shared/s3";
import { ObjectNotFoundError, type ObjectRef } from "./body";
import { ingestMovieInfos } from "./ingest";

const table = requireEnv("MOVIE_INFOS_TABLE");
const bucket = requireEnv("MOVIE_INFOS_BUCKET");
const s3 = createS3Client();
const ddb = createDocumentClient();
const logger = createLogger({ service: "upload-infos" });

/** How many rejected rows one summary log line lists; the count is always exact. */
export const MAX_LOGGED_REJECTS = 100;

/** What the handler returns: one entry per object ingested, and the records it ignored. */
export interface UploadResult {
  readonly objects: { bucket: string; key: string; written: number; rejected: number }[];
  readonly ignored: { bucket: string; key: string; reason: string }[];
}

/**
 * S3 keys arrive URL-encoded in events, with "+" for a space ("my+file%C3%A9.csv" is "my fileé.csv").
 */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, " "));
}

/** Keys upload-infos reads: a `.csv` suffix, in any case (the bucket notification itself only sends `.csv`). */
const CSV_KEY = /\.csv$/i;

/** The object a record names, or why the record is not for this function. */
export function objectOfRecord(
  record: S3EventRecord,
  expectedBucket: string,
): { readonly ref: ObjectRef } | { readonly ignored: { bucket: string; key: string; reason: string } } {
  const recordBucket = record.s3.bucket.name;
  const key = decodeS3Key(record.s3.object.key);
  let reason: string | undefined;
  if (recordBucket !== expectedBucket) reason = "unexpected bucket";
  else if (!record.eventName.startsWith("ObjectCreated:")) reason = `unexpected event ${record.eventName}`;
  else if (!CSV_KEY.test(key)) reason = "not a .csv key";
  if (reason !== undefined) return { ignored: { bucket: recordBucket, key, reason } };
  const { versionId } = record.s3.object;
  return { ref: { bucket: recordBucket, key, ...(versionId ? { versionId } : {}) } };
}

/**
 * S3 ObjectCreated handler: ingests each CSV object of the movie infos bucket into movie_infos, reading the
 * exact version the event names, and logs one summary per object. Records from any other bucket, for
 * other event types or for keys that are not `.csv`, are logged and ignored; so is an object deleted
 * before it could be read, since retrying cannot bring it back.
 *
 * Every record is processed even when an earlier one fails. Any failure (S3 or DynamoDB error, or retries
 * stopped by the invocation's deadline) is then thrown, so Lambda's asynchronous retry re-runs the event;
 * re-ingesting the objects that did succeed is idempotent.
 */
export const handler = async (event: S3Event, context: Context): Promise<UploadResult> => {
  logger.addContext(context);
  const log = logger.child({ requestId: context.awsRequestId });
  const deadline = invocationDeadline(context);
  const result: UploadResult = { objects: [], ignored: [] };
  const failures: unknown[] = [];
  for (const record of event.Records ?? []) {
    const target = objectOfRecord(record, bucket);
    if ("ignored" in target) {
      log.warn("ignored S3 record", target.ignored);
      result.ignored.push(target.ignored);
      continue;
    }
    const { ref } = target;
    try {
      const summary = await ingestMovieInfos({ s3, ddb, table, deadline, ...ref });
      log.info("ingested movie infos", {
        ...ref,
        lines: summary.lines,
        written: summary.written,
        superseded: summary.superseded,
        skipped: summary.skipped,
        rejectedCount: summary.rejectedCount,
        rejected: summary.rejected.slice(0, MAX_LOGGED_REJECTS),
      });
      result.objects.push({
        bucket: ref.bucket,
        key: ref.key,
        written: summary.written,
        rejected: summary.rejectedCount,
      });
    } catch (error) {
      if (error instanceof ObjectNotFoundError) {
        const ignored = {
          bucket: ref.bucket,
          key: ref.key,
          reason: "object not found (deleted before it was read)",
        };
        log.warn("ignored S3 record", { ...ignored, ...(ref.versionId ? { versionId: ref.versionId } : {}) });
        result.ignored.push(ignored);
        continue;
      }
      log.error("ingestion failed", { ...ref, error });
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new AggregateError(failures, `${failures.length} of ${event.Records.length} objects failed`);
  }
  return result;
};
