import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

/** An object as the bench sent it and as the S3 server stored it: the same bytes, checked. */
export interface VerifiedObject {
  readonly key: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** What the server holds for a key: HeadObject's length, and the bytes GetObject returns. */
export interface StoredObject {
  readonly contentLength: number | undefined;
  readonly bytes: number;
  readonly sha256: string;
}

/** The stored object is not the file that was sent: whatever the bench measured on it would be wrong. */
export class StoredObjectMismatchError extends Error {
  constructor(bucket: string, sent: VerifiedObject, stored: StoredObject) {
    super(
      `s3://${bucket}/${sent.key}: sent ${sent.bytes} bytes (sha256 ${sent.sha256}), the server stored ` +
        `${stored.bytes} bytes (sha256 ${stored.sha256}; HeadObject: ${stored.contentLength} bytes). ` +
        "The bench would measure another file than it " +
        "generated (s3rver stores an aws-chunked upload with its chunk framing: upload with " +
        '`requestChecksumCalculation: "WHEN_REQUIRED"` or a Buffer body).',
    );
    this.name = "StoredObjectMismatchError";
  }
}

async function sha256Of(stream: AsyncIterable<Uint8Array>): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest("hex") };
}

/**
 * Uploads the file at `path` as `key`, streamed with its length, then reads the object back (HeadObject for
 * its length, GetObject for its bytes) and checks both against what was sent.
 * @throws StoredObjectMismatchError when the stored object differs from the file in length or content.
 */
export async function putVerified(
  s3: S3Client,
  bucket: string,
  key: string,
  path: string,
): Promise<VerifiedObject> {
  const sent: VerifiedObject = { key, ...(await sha256Of(createReadStream(path))) };
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: createReadStream(path),
      ContentLength: sent.bytes,
    }),
  );
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const stored = { contentLength: head.ContentLength, ...(await sha256Of(object.Body as Readable)) };
  if (stored.contentLength !== sent.bytes || stored.bytes !== sent.bytes || stored.sha256 !== sent.sha256) {
    throw new StoredObjectMismatchError(bucket, sent, stored);
  }
  return sent;
}
