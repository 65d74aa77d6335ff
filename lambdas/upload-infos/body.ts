import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Readable } from "node:stream";

/** An S3 object, or one version of it. */
export interface ObjectRef {
  readonly bucket: string;
  /** The object key, already URL-decoded. */
  readonly key: string;
  /** The version the event names (`s3.object.versionId`); without it, the current object is read. */
  readonly versionId?: string;
}

/**
 * The object (or the version) is gone: deleted before it was read. Retrying cannot bring it back, so the
 * handler logs and counts it instead of failing the event. The S3 error is the cause.
 */
export class ObjectNotFoundError extends Error {
  constructor(ref: ObjectRef, options: { cause: unknown }) {
    super(
      `s3://${ref.bucket}/${ref.key}${ref.versionId ? ` (version ${ref.versionId})` : ""} no longer exists`,
      options,
    );
    this.name = "ObjectNotFoundError";
  }
}

/** No byte of the object's body arrived for the allowed time while we were waiting for one. */
export class BodyStalledError extends Error {
  constructor(ref: ObjectRef, stallMs: number, bytesRead: number) {
    super(`s3://${ref.bucket}/${ref.key}: no data for ${stallMs} ms after ${bytesRead} bytes`);
    this.name = "BodyStalledError";
  }
}

const NOT_FOUND = new Set(["NoSuchKey", "NoSuchVersion"]);

/**
 * GetObject of exactly the object (and version) the event named, returned as a Node stream.
 * @throws ObjectNotFoundError when S3 answers NoSuchKey or NoSuchVersion; other errors as they are.
 */
export async function openObject(s3: S3Client, ref: ObjectRef, abortSignal: AbortSignal): Promise<Readable> {
  let body: unknown;
  try {
    const output = await s3.send(
      new GetObjectCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        ...(ref.versionId ? { VersionId: ref.versionId } : {}),
      }),
      { abortSignal },
    );
    body = output.Body;
  } catch (error) {
    if (error instanceof Error && NOT_FOUND.has(error.name))
      throw new ObjectNotFoundError(ref, { cause: error });
    throw error;
  }
  if (!(body instanceof Readable)) {
    throw new Error(`GetObject returned no readable body for s3://${ref.bucket}/${ref.key}`);
  }
  return body;
}

/**
 * The chunks of `body`, failing with {@link BodyStalledError} when the next one takes longer than `stallMs`
 * to arrive. Only time spent waiting for data counts: while the caller is busy writing (and the stream is
 * paused by back-pressure) no timer runs, which is why this is not a socket idle timeout. The stream is
 * destroyed when iteration ends, however it ends.
 */
export async function* chunksOf(body: Readable, ref: ObjectRef, stallMs: number): AsyncGenerator<Buffer> {
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let bytesRead = 0;
  try {
    for (;;) {
      const next = chunks.next();
      // Once the stream is destroyed below, this promise may reject with nobody left to listen.
      next.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new BodyStalledError(ref, stallMs, bytesRead)), stallMs);
      });
      let result: IteratorResult<Buffer>;
      try {
        result = await Promise.race([next, stalled]);
      } finally {
        clearTimeout(timer);
      }
      if (result.done) return;
      bytesRead += result.value.length;
      yield result.value;
    }
  } finally {
    body.destroy();
  }
}
