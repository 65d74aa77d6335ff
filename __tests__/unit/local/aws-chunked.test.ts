import {
  AwsChunkedError,
  checksumOf,
  decodeAwsChunked,
  decodeUpload,
  isAwsChunked,
} from "../../../local/aws-chunked";

const payload = Buffer.from("movie_id,name\nmv1,Heat\n".repeat(400)); // 9600 bytes: two chunks
const crc = checksumOf("x-amz-checksum-crc32", payload) as string;

/** How the SDK frames an upload: 8 KiB chunks, an empty last chunk, the checksum as a trailer. */
function chunked(data: Buffer, signed = false, trailer = `x-amz-checksum-crc32:${crc}`): Buffer {
  const sig = signed ? ";chunk-signature=" + "0".repeat(64) : "";
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += 8192) {
    const chunk = data.subarray(at, at + 8192);
    parts.push(Buffer.from(`${chunk.length.toString(16)}${sig}\r\n`), chunk, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from(`0${sig}\r\n${trailer ? `${trailer}\r\n` : ""}\r\n`));
  return Buffer.concat(parts);
}

describe("aws-chunked uploads", () => {
  const headers = {
    "content-encoding": "aws-chunked",
    "x-amz-decoded-content-length": String(payload.length),
    "x-amz-trailer": "x-amz-checksum-crc32",
    "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    "content-length": "9999",
    "content-type": "text/csv",
  };

  it("knows them by Content-Encoding or by a STREAMING- payload hash", () => {
    expect(isAwsChunked({ "content-encoding": "gzip, aws-chunked" })).toBe(true);
    expect(isAwsChunked({ "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" })).toBe(true);
    expect(isAwsChunked({ "x-amz-content-sha256": "UNSIGNED-PAYLOAD" })).toBe(false);
  });

  it("takes the payload out of unsigned and signed framing, with the trailers", () => {
    for (const signed of [false, true]) {
      const decoded = decodeAwsChunked(chunked(payload, signed));
      expect(decoded.payload.equals(payload)).toBe(true);
      expect(decoded.trailers).toEqual({ "x-amz-checksum-crc32": crc });
    }
    expect(decodeAwsChunked(chunked(Buffer.alloc(0), false, "")).payload.length).toBe(0);
  });

  it("gives the S3 server the payload and plain headers: length, checksum, no chunk encoding", () => {
    const upload = decodeUpload({ ...headers, "content-encoding": "gzip,aws-chunked" }, chunked(payload));
    expect(upload.payload.equals(payload)).toBe(true);
    expect(upload.headers).toEqual({
      "content-encoding": "gzip",
      "content-length": String(payload.length),
      "content-type": "text/csv",
      "x-amz-checksum-crc32": crc,
      "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    });
    expect(decodeUpload(headers, chunked(payload)).headers["content-encoding"]).toBeUndefined();
  });

  it("refuses, as S3 does, a checksum that does not match or a length that is not what was announced", () => {
    const wrong = chunked(payload, false, "x-amz-checksum-crc32:AAAAAA==");
    expect(() => decodeUpload(headers, wrong)).toThrow(
      new AwsChunkedError("BadDigest", "The CRC32 you specified did not match the calculated checksum."),
    );
    expect(() => decodeUpload({ ...headers, "x-amz-decoded-content-length": "5" }, chunked(payload))).toThrow(
      expect.objectContaining({ code: "IncompleteBody" }),
    );
    expect(() => decodeAwsChunked(chunked(payload).subarray(0, 100))).toThrow(
      expect.objectContaining({ code: "IncompleteBody" }),
    );
    expect(() => decodeAwsChunked(Buffer.from("zz\r\n"))).toThrow(
      expect.objectContaining({ code: "InvalidRequest" }),
    );
  });

  it("computes every checksum S3 offers (check values of '123456789')", () => {
    const hex = (h: string) =>
      Buffer.from(checksumOf(h, Buffer.from("123456789")) as string, "base64").toString("hex");
    expect(hex("x-amz-checksum-crc32")).toBe("cbf43926");
    expect(hex("x-amz-checksum-crc32c")).toBe("e3069283");
    expect(hex("x-amz-checksum-crc64nvme")).toBe("ae8b14860a799888");
    expect(hex("x-amz-checksum-sha1")).toBe("f7c3bc1d808e04732adf679965ccc34ca7ae3441");
    expect(checksumOf("x-amz-checksum-md7", Buffer.alloc(1))).toBeUndefined();
  });
});
