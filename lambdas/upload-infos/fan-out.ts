import { createHash } from "node:crypto";
import { StartExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import type { ObjectRef } from "./body";
import type { NumberedRecord, RecordsSummary } from "./ingest";
import { CSV_COLUMNS } from "./rows";

/**
 * The two ingestion paths meet here. An object up to the fan-out threshold is ingested by upload-infos in
 * one invocation; a larger one starts an execution of the ingestion state machine, whose Distributed Map
 * reads the object with Step Functions' CSV item reader and hands batches of records to upload-infos-batch.
 */

/** What the state machine is started with: the object, always by version (`"null"` for an unversioned one). */
export interface FanOutInput {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string;
}

/** One item of a batch: what the map's ItemSelector makes of a CSV record (`$$.Map.Item.Index`, `.Value`). */
export interface BatchItem {
  /** 0-based index of the record in the file: its line is `index + 1`. */
  readonly index: number;
  /** The record, keyed by the reader's column names ({@link CSV_COLUMNS}). */
  readonly row: Readonly<Record<string, string | undefined>>;
}

/** The event upload-infos-batch receives from the map's ItemBatcher. */
export interface BatchEvent {
  readonly BatchInput: FanOutInput;
  readonly Items: readonly BatchItem[];
}

/** What a batch returns (the ResultWriter keeps it in the execution's results). */
export interface BatchResult extends FanOutInput, RecordsSummary {
  readonly firstLine: number;
  readonly lastLine: number;
}

/** A batch event that is not what the state machine sends: retrying cannot fix it. */
export class BatchEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BatchEventError";
  }
}

/**
 * True when an object of `size` bytes goes to the state machine: above the threshold. The S3 event carries
 * the size, so the choice costs no request.
 */
export function shouldFanOut(size: number | undefined, thresholdBytes: number | undefined): boolean {
  return thresholdBytes !== undefined && size !== undefined && size > thresholdBytes;
}

/**
 * The execution's name: one per object version, so a retried S3 event (Lambda's asynchronous retries, a
 * replay from the failure queue) names the same execution, and Step Functions refuses to start a second one
 * (`ExecutionAlreadyExists`): every upload is ingested by at most one execution.
 */
export function executionName(input: FanOutInput): string {
  const digest = createHash("sha256")
    .update(`${input.bucket}\0${input.key}\0${input.versionId}`)
    .digest("hex");
  return `upload-${digest.slice(0, 64)}`;
}

/** The execution started for `input`, or `already: true` when the upload's execution exists already. */
export async function startFanOut(
  sfn: SFNClient,
  stateMachineArn: string,
  input: FanOutInput,
): Promise<{ readonly executionName: string; readonly already: boolean; readonly executionArn?: string }> {
  const name = executionName(input);
  try {
    const output = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    return {
      executionName: name,
      already: false,
      ...(output.executionArn ? { executionArn: output.executionArn } : {}),
    };
  } catch (error) {
    if ((error as { name?: string }).name === "ExecutionAlreadyExists")
      return { executionName: name, already: true };
    throw error;
  }
}

/** The fan-out input of an object: its version, or S3's `"null"` version of an unversioned bucket. */
export function fanOutInput(ref: ObjectRef): FanOutInput {
  return { bucket: ref.bucket, key: ref.key, versionId: ref.versionId ?? "null" };
}

/**
 * The records of a batch, with their lines, fields in column order. A record with fewer columns than the
 * file's lacks the last keys: its fields stop at the first missing one, so the row rules reject it
 * ("expected 4 columns, got 2") as the small path does.
 */
export function recordsOfBatch(event: unknown): {
  readonly input: FanOutInput;
  readonly records: NumberedRecord[];
} {
  if (typeof event !== "object" || event === null)
    throw new BatchEventError("the batch event is not an object");
  const { BatchInput: input, Items: items } = event as Partial<BatchEvent>;
  if (
    typeof input !== "object" ||
    input === null ||
    typeof input.bucket !== "string" ||
    typeof input.key !== "string" ||
    typeof input.versionId !== "string"
  ) {
    throw new BatchEventError("BatchInput must hold bucket, key and versionId strings");
  }
  if (!Array.isArray(items)) throw new BatchEventError("Items must be an array");
  const records = items.map((item: unknown, position): NumberedRecord => {
    const { index, row } = (item ?? {}) as Partial<BatchItem>;
    if (!Number.isInteger(index) || (index as number) < 0 || typeof row !== "object" || row === null) {
      throw new BatchEventError(
        `Items[${position}] must be { index: a non-negative integer, row: an object }`,
      );
    }
    const fields: string[] = [];
    for (const column of CSV_COLUMNS) {
      const value = row[column];
      if (typeof value !== "string") break;
      fields.push(value);
    }
    return { line: (index as number) + 1, fields };
  });
  return { input: { bucket: input.bucket, key: input.key, versionId: input.versionId }, records };
}
