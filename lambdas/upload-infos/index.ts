import type { Context, S3Event, S3EventRecord } from "aws-lambda";
import { invocationDeadline } from "../shared/deadline";
import { createDocumentClient } from "../shared/dynamodb";
import { requireEnv } from "../shared/env";
import { createLogger } from "../shared/logger";
import { createS3Client } from "../shared/s3";
import { ObjectNotFoundError, type ObjectRef } from "./body";
import { createSfnClient } from "../shared/sfn";
import { fanOutInput, shouldFanOut, startFanOut } from "./fan-out";
import { ingestMovieInfos, MAX_LOGGED_REJECTS } from "./ingest";

const table = requireEnv("MOVIE_INFOS_TABLE");
const bucket = requireEnv("MOVIE_INFOS_BUCKET");
const s3 = createS3Client();
const ddb = createDocumentClient();
const logger = createLogger({ service: "upload-infos" });
const fanOut = fanOutSettings();

/**
 * Where objects above the threshold go: `INGESTION_STATE_MACHINE_ARN` and `FAN_OUT_THRESHOLD_BYTES`, both
 * or neither (then every object is ingested here). Checked at init, like the required variables.
 */
function fanOutSettings() {
  const stateMachineArn = process.env.INGESTION_STATE_MACHINE_ARN || undefined;
  const threshold = process.env.FAN_OUT_THRESHOLD_BYTES || undefined;
  if (stateMachineArn === undefined && threshold === undefined) return undefined;
  const thresholdBytes = Number(threshold);
  if (stateMachineArn === undefined || !Number.isInteger(thresholdBytes) || thresholdBytes < 0) {
    throw new Error(
      "INGESTION_STATE_MACHINE_ARN and FAN_OUT_THRESHOLD_BYTES (a whole number of bytes) are set together or not at all",
    );
  }
  return { stateMachineArn, thresholdBytes, sfn: createSfnClient() };
}

export { MAX_LOGGED_REJECTS };

/** What the handler returns: one entry per object ingested or handed to the state machine, and the records it ignored. */
export interface UploadResult {
  readonly objects: { bucket: string; key: string; written: number; rejected: number }[];
  /**
   * Objects above the fan-out threshold, when there were any: the execution that ingests each (`already`:
   * started before, by an earlier delivery of the same event).
   */
  readonly fannedOut?: { bucket: string; key: string; executionName: string; already: boolean }[];
  readonly ignored: { bucket: string; key: string; reason: string }[];
}

function pick(started: { executionName: string; already: boolean }) {
  return { executionName: started.executionName, already: started.already };
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
 * exact version the event names, and logs one summary per object. An object larger than
 * `FAN_OUT_THRESHOLD_BYTES` (the event says its size) is not read here: it starts the ingestion state
 * machine's execution for that version instead (docs/ingestion.md), once per upload. Records from any other bucket, for
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
  const fannedOut: NonNullable<UploadResult["fannedOut"]> = [];
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
      if (fanOut && shouldFanOut(record.s3.object.size, fanOut.thresholdBytes)) {
        const input = fanOutInput(ref);
        const started = await startFanOut(fanOut.sfn, fanOut.stateMachineArn, input);
        log.info("fanned out upload", { ...input, size: record.s3.object.size, ...started });
        fannedOut.push({ bucket: ref.bucket, key: ref.key, ...pick(started) });
        continue;
      }
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
  return fannedOut.length > 0 ? { ...result, fannedOut } : result;
};
