import { isHeaderRow, isIsoDate, parseMovieInfoRow } from "../../../../lambdas/upload-infos/rows";

describe("isIsoDate", () => {
  it.each(["2014-10-26", "2024-02-29", "2000-02-29", "1888-10-14", "0099-01-01", "2023-12-31"])(
    "accepts %p",
    (date) => {
      expect(isIsoDate(date)).toBe(true);
    },
  );

  it.each([
    "2023-02-29",
    "1900-02-29",
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
    });
  });

  it("leaves out an empty country_of_origin", () => {
    expect(parseMovieInfoRow(["mv1", "Interstellar", " ", "2014-10-26"])).toEqual({
      ok: true,
      item: { movie_id: "mv1", name: "Interstellar", release_date: "2014-10-26" },
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
