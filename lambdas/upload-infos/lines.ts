/**
 * The longest line upload-infos reads, in bytes. A movie_infos item is at most 400 KB (DynamoDB's item limit),
 * so no valid row needs more; a longer line is rejected while its bytes stream past, never held, so a
 * function's memory does not depend on what is in the file.
 */
export const MAX_LINE_BYTES = 512 * 1024;

/** One physical line of the file: its bytes, or, when it was longer than the limit, only its length. */
export type PhysicalLine =
  | {
      /** 1-based, counting blank lines, as an editor numbers them. */
      readonly number: number;
      /** The line without its `\n` or `\r\n` (and without a UTF-8 BOM on line 1). Empty for a blank line. */
      readonly bytes: Buffer;
    }
  | { readonly number: number; readonly bytes?: undefined; readonly tooLongBytes: number };

const LF = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Splits a byte stream into physical lines, in bounded memory: a line is held only up to `maxLineBytes`;
 * past that its bytes are counted and dropped. `\n` ends a line; a `\r` just before it is dropped too.
 * Bytes are not decoded here, so a character split across chunks cannot be damaged.
 */
export class LineSplitter {
  private pieces: Buffer[] = [];
  private pendingBytes = 0;
  private tooLong = false;
  private lineNumber = 0;

  constructor(private readonly maxLineBytes: number = MAX_LINE_BYTES) {}

  /** Appends the lines that `chunk` completes to `out`. */
  push(chunk: Buffer, out: PhysicalLine[]): void {
    let start = 0;
    for (let end = chunk.indexOf(LF, start); end !== -1; end = chunk.indexOf(LF, start)) {
      this.append(chunk.subarray(start, end));
      out.push(this.finishLine());
      start = end + 1;
    }
    if (start < chunk.length) this.append(chunk.subarray(start));
  }

  /** Appends the last line, when the file does not end with a line break. */
  end(out: PhysicalLine[]): void {
    if (this.pendingBytes > 0) out.push(this.finishLine());
  }

  private append(part: Buffer): void {
    if (part.length === 0) return;
    this.pendingBytes += part.length;
    if (this.tooLong) return;
    // One byte over the limit is allowed for the "\r" of a CRLF line ending.
    if (this.pendingBytes > this.maxLineBytes + 1) {
      this.tooLong = true;
      this.pieces = [];
      return;
    }
    this.pieces.push(part);
  }

  private finishLine(): PhysicalLine {
    const number = ++this.lineNumber;
    const pendingBytes = this.pendingBytes;
    const tooLong = this.tooLong;
    const pieces = this.pieces;
    this.pieces = [];
    this.pendingBytes = 0;
    this.tooLong = false;
    if (tooLong) return { number, tooLongBytes: pendingBytes };
    let bytes = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces, pendingBytes);
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    if (number === 1 && bytes.subarray(0, BOM.length).equals(BOM)) bytes = bytes.subarray(BOM.length);
    if (bytes.length > this.maxLineBytes) return { number, tooLongBytes: pendingBytes };
    return { number, bytes };
  }
}

/**
 * Where the first byte that is not part of a well-formed UTF-8 sequence sits in `bytes` (0-based), or -1.
 * Only called for a line that `isUtf8` already refused, to say where; overlong forms, surrogates and code
 * points above U+10FFFF count as invalid, as they do for `TextDecoder("utf-8", { fatal: true })`.
 */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] as number;
    let length: number;
    let min: number;
    if (lead < 0x80) {
      index++;
      continue;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
      [length, min] = [2, 0x80];
    } else if (lead >= 0xe0 && lead <= 0xef) {
      [length, min] = [3, 0x800];
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      [length, min] = [4, 0x10000];
    } else {
      return index;
    }
    if (index + length > bytes.length) return index;
    let codePoint = lead & (0xff >> (length + 1));
    for (let offset = 1; offset < length; offset++) {
      const next = bytes[index + offset] as number;
      if ((next & 0xc0) !== 0x80) return index;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return index;
    index += length;
  }
  return -1;
}
