import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { putVerified, StoredObjectMismatchError } from "../../../bench/upload";
import { s3Body } from "../../helpers/s3";

const s3 = new S3Client({ region: "eu-west-1" });
const s3Mock = mockClient(S3Client);
const csv = "m1,Movie 1,France,2001-01-01\nm2,Movie 2,France,2001-01-02\n";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
let dir: string;
let file: string;

beforeEach(() => {
  s3Mock.reset();
  dir = mkdtempSync(join(tmpdir(), "bench-upload-"));
  file = join(dir, "movies.csv");
  writeFileSync(file, csv);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The server answers HeadObject and GetObject with `stored`. */
function serverStores(stored: string) {
  // Like a server, read the body to its end: an unread file stream would open after the test removed it.
  s3Mock.on(PutObjectCommand).callsFake(async ({ Body }: { Body: NodeJS.ReadableStream }) => {
    for await (const chunk of Body) void chunk;
    return {};
  });
  s3Mock.on(HeadObjectCommand).resolves({ ContentLength: Buffer.byteLength(stored) });
  s3Mock.on(GetObjectCommand).resolves({ Body: s3Body(stored) });
}

describe("putVerified", () => {
  it("uploads the file with its length and returns its size and hash once the stored object matches", async () => {
    serverStores(csv);

    const sent = await putVerified(s3, "bench", "movies.csv", file);

    expect(sent).toEqual({ key: "movies.csv", bytes: csv.length, sha256: sha256(csv) });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: "bench",
      Key: "movies.csv",
      ContentLength: csv.length,
    });
  });

  it("fails when the server stored the upload's aws-chunked framing with the file", async () => {
    const framed = `${csv.length.toString(16)}\r\n${csv}\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n`;
    serverStores(framed);

    const upload = putVerified(s3, "bench", "movies.csv", file);

    await expect(upload).rejects.toThrow(StoredObjectMismatchError);
    await expect(upload).rejects.toThrow(
      `s3://bench/movies.csv: sent ${csv.length} bytes (sha256 ${sha256(csv)}), the server stored ` +
        `${framed.length} bytes (sha256 ${sha256(framed)}; HeadObject: ${framed.length} bytes)`,
    );
  });

  it("fails when the stored bytes differ at the same length", async () => {
    serverStores(csv.replace("France", "Franc3"));

    await expect(putVerified(s3, "bench", "movies.csv", file)).rejects.toThrow(StoredObjectMismatchError);
  });
});
