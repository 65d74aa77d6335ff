import {
  firstInvalidUtf8Byte,
  LineSplitter,
  type PhysicalLine,
} from "../../../../lambdas/upload-infos/lines";

/** Splits `chunks` with a splitter of `maxLineBytes`, returning lines as text (or their too-long length). */
function split(chunks: (string | Buffer)[], maxLineBytes = 64): (string | { tooLong: number })[] {
  const splitter = new LineSplitter(maxLineBytes);
  const lines: PhysicalLine[] = [];
  for (const chunk of chunks) splitter.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk, lines);
  splitter.end(lines);
  lines.forEach((line, index) => expect(line.number).toBe(index + 1));
  return lines.map((line) =>
    line.bytes === undefined ? { tooLong: line.tooLongBytes } : line.bytes.toString("utf8"),
  );
}

describe("LineSplitter", () => {
  it("ends lines at LF or CRLF, keeps a lone CR as data, and numbers blank lines too", () => {
    expect(split(["a\r\n\nb\rc\n\r\nd"])).toEqual(["a", "", "b\rc", "", "d"]);
  });

  it("does not invent a line after the last line break", () => {
    expect(split(["a\nb\n"])).toEqual(["a", "b"]);
    expect(split([""])).toEqual([]);
  });

  it("joins a line cut across chunks, even between CR and LF or inside a character", () => {
    const bytes = Buffer.from("mv1,千と\r\nmv2\n");
    const cut = bytes.indexOf(Buffer.from("千")) + 1;
    const crlf = bytes.indexOf("\r") + 1;
    expect(split([bytes.subarray(0, cut), bytes.subarray(cut, crlf), bytes.subarray(crlf)])).toEqual([
      "mv1,千と",
      "mv2",
    ]);
  });

  it("drops a UTF-8 BOM at the start of the first line only", () => {
    expect(split(["\uFEFFa\n\uFEFFb\n"])).toEqual(["a", "\uFEFFb"]);
  });

  it("reports a line over the limit by its length, without its bytes, and goes on with the next", () => {
    const long = "x".repeat(100);
    expect(split(["ok\n", long.slice(0, 30), long.slice(30), "\r\nnext\n"])).toEqual([
      "ok",
      { tooLong: 101 },
      "next",
    ]);
  });

  it("allows a line of exactly the limit, with or without CR", () => {
    const exact = "x".repeat(64);
    expect(split([`${exact}\r\n${exact}\n${exact}y\n`])).toEqual([exact, exact, { tooLong: 65 }]);
  });
});

describe("firstInvalidUtf8Byte", () => {
  it.each([
    ["valid ASCII and multi-byte text", Buffer.from("Amélie 千と 🎬"), -1],
    ["a Windows-1252 é", Buffer.from([0x41, 0x6d, 0xe9, 0x6c]), 2],
    ["a lone continuation byte", Buffer.from([0x61, 0x80]), 1],
    ["a truncated sequence", Buffer.from([0x61, 0xe5, 0x8d]), 1],
    ["an overlong form", Buffer.from([0xe0, 0x80, 0xaf]), 0],
    ["a UTF-16 surrogate", Buffer.from([0xed, 0xa0, 0x80]), 0],
    ["a code point above U+10FFFF", Buffer.from([0xf4, 0x90, 0x80, 0x80]), 0],
  ])("finds %s at %p", (_what, bytes, index) => {
    expect(firstInvalidUtf8Byte(bytes)).toBe(index);
  });
});
