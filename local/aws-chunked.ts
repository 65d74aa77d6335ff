import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";

/**
 * `Content-Encoding: aws-chunked` bodies, as the AWS SDKs and CLI stream uploads: the payload in chunks
 * (`<hex size>[;chunk-signature=...]\r\n<bytes>\r\n`), a last empty chunk, then trailing headers such as
 * `x-amz-checksum-crc32:<base64>`. S3 decodes them and stores only the payload; s3rver does not, so the
 * local IAM gateway decodes them here, checks the length and checksum as S3 does, and forwards the bytes.
 */

/** A body that is not valid aws-chunked, or whose length or checksum is wrong; `code` is S3's error code. */
export class AwsChunkedError extends Error {
  override readonly name = "AwsChunkedError";
  constructor(
    readonly code: "IncompleteBody" | "InvalidRequest" | "BadDigest",
    message: string,
  ) {
    super(message);
  }
}

/** Is this request's body aws-chunked (`Content-Encoding` lists it, or the payload hash says STREAMING-)? */
export function isAwsChunked(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const encoding = String(headers["content-encoding"] ?? "").toLowerCase();
  const payload = String(headers["x-amz-content-sha256"] ?? "");
  return encoding.split(",").some((e) => e.trim() === "aws-chunked") || payload.startsWith("STREAMING-");
}

const CRLF = Buffer.from("\r\n");

/**
 * The payload and trailing headers of an aws-chunked body. Throws AwsChunkedError for framing that does
 * not add up (a chunk shorter than its size, no final chunk).
 */
export function decodeAwsChunked(body: Buffer): { payload: Buffer; trailers: Record<string, string> } {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf(CRLF, at);
    if (lineEnd < 0)
      throw new AwsChunkedError("IncompleteBody", "aws-chunked body ends before its final chunk");
    const header = body.subarray(at, lineEnd).toString("latin1");
    const size = parseInt(header.split(";")[0] ?? "", 16);
    if (!Number.isInteger(size) || size < 0 || !/^[0-9a-fA-F]+$/.test(header.split(";")[0] ?? "")) {
      throw new AwsChunkedError(
        "InvalidRequest",
        `aws-chunked body has a malformed chunk header "${header}"`,
      );
    }
    at = lineEnd + 2;
    if (size === 0) break;
    if (at + size + 2 > body.length || !body.subarray(at + size, at + size + 2).equals(CRLF)) {
      throw new AwsChunkedError("IncompleteBody", `aws-chunked chunk of ${size} bytes is cut short`);
    }
    chunks.push(body.subarray(at, at + size));
    at += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of body.subarray(at).toString("latin1").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { payload: Buffer.concat(chunks), trailers };
}

function table(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

const CRC32C_TABLE = table(0x82f63b78);

function crc32c(data: Buffer): Buffer {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC32C_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out;
}

const CRC64_POLY = 0x9a6c9329ac4bc9b5n; // CRC-64/NVME, reflected
const CRC64_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = BigInt(n);
  for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ CRC64_POLY : c >> 1n;
  return c;
});

function crc64nvme(data: Buffer): Buffer {
  let crc = 0xffffffffffffffffn;
  for (const byte of data) crc = (CRC64_TABLE[Number((crc ^ BigInt(byte)) & 0xffn)] as bigint) ^ (crc >> 8n);
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(crc ^ 0xffffffffffffffffn);
  return out;
}

/** The checksum algorithms S3 accepts, by header name, each giving the raw digest. */
const CHECKSUMS: Readonly<Record<string, (data: Buffer) => Buffer>> = {
  "x-amz-checksum-crc32": (data) => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(crc32(data) >>> 0);
    return out;
  },
  "x-amz-checksum-crc32c": crc32c,
  "x-amz-checksum-crc64nvme": crc64nvme,
  "x-amz-checksum-sha1": (data) => createHash("sha1").update(data).digest(),
  "x-amz-checksum-sha256": (data) => createHash("sha256").update(data).digest(),
};

/** The base64 checksum of `data` with the algorithm of `header` (`x-amz-checksum-crc32`). */
export function checksumOf(header: string, data: Buffer): string | undefined {
  return CHECKSUMS[header]?.(data).toString("base64");
}

/**
 * Decodes an aws-chunked upload for the S3 server: the payload, and the headers to send instead (no
 * aws-chunked in Content-Encoding, the decoded Content-Length, the trailing checksum as a header, no
 * `x-amz-trailer`, and `x-amz-content-sha256: UNSIGNED-PAYLOAD`). Throws AwsChunkedError, as S3 would
 * answer, when the length differs from `x-amz-decoded-content-length` or a checksum does not match.
 */
export function decodeUpload(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: Buffer,
): { payload: Buffer; headers: Record<string, string | string[]> } {
  const { payload, trailers } = decodeAwsChunked(body);
  const declared = headers["x-amz-decoded-content-length"];
  if (declared !== undefined && Number(declared) !== payload.length) {
    throw new AwsChunkedError(
      "IncompleteBody",
      `You did not provide the number of bytes specified by the Content-Length HTTP header (x-amz-decoded-content-length ${String(declared)}, received ${payload.length})`,
    );
  }
  for (const [name, value] of Object.entries(trailers)) {
    const actual = checksumOf(name, payload);
    if (actual !== undefined && actual !== value) {
      const algorithm = name.replace("x-amz-checksum-", "").toUpperCase();
      throw new AwsChunkedError(
        "BadDigest",
        `The ${algorithm} you specified did not match the calculated checksum.`,
      );
    }
  }
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (
      value === undefined ||
      ["content-length", "x-amz-decoded-content-length", "x-amz-trailer", "transfer-encoding"].includes(name)
    )
      continue;
    out[name] = value;
  }
  const encodings = String(headers["content-encoding"] ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e && e.toLowerCase() !== "aws-chunked");
  if (encodings.length > 0) out["content-encoding"] = encodings.join(",");
  else delete out["content-encoding"];
  for (const [name, value] of Object.entries(trailers))
    if (name.startsWith("x-amz-checksum-")) out[name] = value;
  out["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
  out["content-length"] = String(payload.length);
  return { payload, headers: out };
}
