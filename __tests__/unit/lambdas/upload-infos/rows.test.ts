import { MAX_ITEM_BYTES } from "../../../../lambdas/upload-infos/item-size";
import { MAX_LINE_BYTES } from "../../../../lambdas/upload-infos/lines";
import {
  isHeaderRow,
  isIsoDate,
  parseMovieInfoRow,
  readLineAsRow,
} from "../../../../lambdas/upload-infos/rows";

describe("isIsoDate", () => {
  it.each(["2014-10-26", "2024-02-29", "2000-02-29", "0000-02-29", "1888-10-14", "0099-01-01", "2023-12-31"])(
    "accepts %p",
    (date) => {
      expect(isIsoDate(date)).toBe(true);
    },
  );

  it.each([
    "2023-02-29",
    "1900-02-29",
    "2100-02-29",
    "2023-02-30",
    "2023-04-31",
    "2023-13-01",
    "2023-00-10",
    "2023-01-00",
    "2023-2-1",
    "23-02-01",
    "2023/02/01",
    "2023-02-01T00:00:00Z",
    " 2023-02-01",
    "",
  ])("rejects %p", (date) => {
    expect(isIsoDate(date)).toBe(false);
  });
});

describe("isHeaderRow", () => {
  it("recognises the header, ignoring case and surrounding spaces", () => {
    expect(isHeaderRow(["movie_id", "name", "country_of_origin", "release_date"])).toBe(true);
    expect(isHeaderRow([" Movie_ID", "NAME ", "country_of_origin", "release_date"])).toBe(true);
  });

  it("does not mistake data or partial headers for it", () => {
    expect(isHeaderRow(["mv1", "Interstellar", "United States", "2014-10-26"])).toBe(false);
    expect(isHeaderRow(["movie_id", "name", "country_of_origin"])).toBe(false);
    expect(isHeaderRow(["movie_id", "name", "release_date", "country_of_origin"])).toBe(false);
  });
});

describe("parseMovieInfoRow", () => {
  it("trims fields and builds the item", () => {
    expect(parseMovieInfoRow([" mv1 ", " Interstellar", "United States ", " 2014-10-26 "])).toEqual({
      ok: true,
      item: {
        movie_id: "mv1",
        name: "Interstellar",
        country_of_origin: "United States",
        release_date: "2014-10-26",
      },
      size: 8 + 3 + 4 + 12 + 17 + 13 + 12 + 10,
    });
  });

  it("leaves out an empty country_of_origin", () => {
    expect(parseMovieInfoRow(["mv1", "Interstellar", " ", "2014-10-26"])).toEqual({
      ok: true,
      item: { movie_id: "mv1", name: "Interstellar", release_date: "2014-10-26" },
      size: 8 + 3 + 4 + 12 + 12 + 10,
    });
  });

  it("accepts an item of exactly DynamoDB's 400 KB and rejects one byte more, with its size", () => {
    // movie_id + "mv1" + name + release_date + "2014-10-26": 37 bytes besides the name.
    const name = (bytes: number) => "n".repeat(bytes - 37);
    expect(parseMovieInfoRow(["mv1", name(MAX_ITEM_BYTES), "", "2014-10-26"])).toMatchObject({
      ok: true,
      size: MAX_ITEM_BYTES,
    });
    expect(parseMovieInfoRow(["mv1", name(MAX_ITEM_BYTES + 1), "", "2014-10-26"])).toEqual({
      ok: false,
      reason: "item is 409601 bytes, over DynamoDB's item limit of 409600 bytes (400 KB)",
    });
  });

  it.each([
    [["mv1", "Interstellar", "United States"], "expected 4 columns, got 3"],
    [["mv1", "Interstellar", "United States", "2014-10-26", "x"], "expected 4 columns, got 5"],
    [[""], "expected 4 columns, got 1"],
    [[" ", "Interstellar", "United States", "2014-10-26"], "movie_id is empty"],
    [
      ["mv 1", "Interstellar", "United States", "2014-10-26"],
      'movie_id must be 1 to 128 characters of letters, digits, "_", "." or "-"',
    ],
    [["mv1", "", "United States", "2014-10-26"], "name is empty"],
    [["mv1", "Interstellar", "United States", ""], "release_date is empty"],
    [
      ["mv1", "Interstellar", "United States", "2023-02-30"],
      'release_date "2023-02-30" is not a valid YYYY-MM-DD date',
    ],
    [
      ["mv1", "Interstellar", "United States", "26/10/2014"],
      'release_date "26/10/2014" is not a valid YYYY-MM-DD date',
    ],
  ])("rejects %p: %s", (fields, reason) => {
    expect(parseMovieInfoRow(fields)).toEqual({ ok: false, reason });
  });

  it("quotes at most 40 characters of a bad date", () => {
    expect(parseMovieInfoRow(["mv1", "n", "c", "9".repeat(100)])).toEqual({
      ok: false,
      reason: `release_date "${"9".repeat(40)}" is not a valid YYYY-MM-DD date`,
    });
  });
});

describe("readLineAsRow", () => {
  const line = (text: string | Buffer, number = 7) => ({
    number,
    bytes: typeof text === "string" ? Buffer.from(text) : text,
  });

  it("reads a valid line as the item to write", () => {
    expect(readLineAsRow(line("mv1,Amélie,France,2001-04-25"), false)).toEqual({
      kind: "row",
      item: { movie_id: "mv1", name: "Amélie", country_of_origin: "France", release_date: "2001-04-25" },
      size: 8 + 3 + 4 + 7 + 17 + 6 + 12 + 10,
    });
  });

  it("tells a blank line, and the header only where a header may be", () => {
    const header = line("movie_id,name,country_of_origin,release_date");
    expect(readLineAsRow(line(""), true)).toEqual({ kind: "blank" });
    expect(readLineAsRow(header, true)).toEqual({ kind: "header" });
    expect(readLineAsRow(header, false)).toEqual({
      kind: "rejected",
      reason: 'release_date "release_date" is not a valid YYYY-MM-DD date',
    });
  });

  it.each([
    [
      "a line over the limit, by its length",
      { number: 3, tooLongBytes: 41_943_040 },
      `line is 41943040 bytes, over the limit of ${MAX_LINE_BYTES} bytes`,
    ],
    [
      "bytes that are not UTF-8, saying where",
      line(Buffer.concat([Buffer.from("mv1,Am"), Buffer.from([0xe9]), Buffer.from("lie,FR,2001-04-25")])),
      "not valid UTF-8: byte 0xE9 at byte 7 of the line (save the file as UTF-8)",
    ],
    [
      "a quote left open",
      line('mv1,"Heat,US,1995-12-15'),
      "quoted field is not closed on its line (a row cannot span lines)",
    ],
    ["a bad row", line("mv1,Heat,US"), "expected 4 columns, got 3"],
  ])("rejects %s", (_what, physical, reason) => {
    expect(readLineAsRow(physical, false)).toEqual({ kind: "rejected", reason });
  });
});
