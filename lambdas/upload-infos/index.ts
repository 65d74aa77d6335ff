import { S3Client } from "@aws-sdk/client-s3";
import type { Context, S3Event } from "aws-lambda";
import { createDocumentClient } from "../shared/dynamodb";
import { requireEnv } from "../shared/env";
import { createLogger } from "../shared/logger";
import { ingestMovieInfos } from "./ingest";

const table = requireEnv("MOVIE_INFOS_TABLE");
const bucket = requireEnv("MOVIE_INFOS_BUCKET");
const s3 = new S3Client({});
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

/**
 * S3 ObjectCreated handler: ingests each CSV object of the movie infos bucket into movie_infos and logs one
 * summary per object. Records from any other bucket, or for other event types, are logged and ignored.
 * An S3 or DynamoDB failure is thrown so Lambda's asynchronous retry re-runs the event.
 */
export const handler = async (event: S3Event, context: Context): Promise<UploadResult> => {
  logger.addContext(context);
  const log = logger.child({ requestId: context.awsRequestId });
  const result: UploadResult = { objects: [], ignored: [] };
  for (const record of event.Records ?? []) {
    const recordBucket = record.s3.bucket.name;
    const key = decodeS3Key(record.s3.object.key);
    if (recordBucket !== bucket || !record.eventName.startsWith("ObjectCreated:")) {
      const reason = recordBucket !== bucket ? "unexpected bucket" : `unexpected event ${record.eventName}`;
      log.warn("ignored S3 record", { bucket: recordBucket, key, reason });
      result.ignored.push({ bucket: recordBucket, key, reason });
      continue;
    }
    const summary = await ingestMovieInfos({ s3, ddb, bucket, key, table });
    log.info("ingested movie infos", {
      bucket,
      key,
      written: summary.written,
      rejectedCount: summary.rejectedCount,
      rejected: summary.rejected.slice(0, MAX_LOGGED_REJECTS),
    });
    result.objects.push({ bucket, key, written: summary.written, rejected: summary.rejectedCount });
  }
  return result;
};
