import type { GetObjectCommandOutput } from "@aws-sdk/client-s3";
import { Readable } from "node:stream";

/**
 * A GetObject `Body` that streams `chunks` (strings are UTF-8 encoded), for aws-sdk-client-mock. The code
 * under test only reads it as a Node Readable, which is what the SDK returns in Lambda, so the SDK's stream
 * mixin (`sdkStreamMixin`, no longer a top-level dependency here) is not needed.
 */
export function s3Body(...chunks: (string | Buffer)[]): GetObjectCommandOutput["Body"] {
  const stream = Readable.from(
    chunks.map((chunk) => (typeof chunk === "string" ? Buffer.from(chunk) : chunk)),
  );
  return stream as GetObjectCommandOutput["Body"];
}

/** A GetObject `Body` that yields `before`, then fails with `error`, as a dropped connection does. */
export function failingS3Body(before: string, error: Error): GetObjectCommandOutput["Body"] {
  const stream = new Readable({
    read() {
      this.push(Buffer.from(before));
      this.destroy(error);
    },
  });
  return stream as GetObjectCommandOutput["Body"];
}
