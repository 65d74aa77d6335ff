import { MOVIE_ID_PATTERN, MOVIE_ID_RULE, type MovieInfo } from "../shared/movies";

/** The optional header row; detected when the first record equals it (trimmed, case-insensitive). */
export const CSV_COLUMNS = ["movie_id", "name", "country_of_origin", "release_date"] as const;

/** A row that was not written, with the line it starts on (1-based, counting blank lines). */
export interface RowRejection {
  readonly line: number;
  readonly reason: string;
}

/** Outcome of validating one CSV record: the item to write, or why not. */
export type RowResult =
  { readonly ok: true; readonly item: MovieInfo } | { readonly ok: false; readonly reason: string };

/** True when `fields` is the header row. */
export function isHeaderRow(fields: readonly string[]): boolean {
  return (
    fields.length === CSV_COLUMNS.length &&
    fields.every((field, index) => field.trim().toLowerCase() === CSV_COLUMNS[index])
  );
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD ("2024-02-29" yes, "2023-02-29" and "2023-2-1" no). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (match === null) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 to 1900..1999.
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Validates one record `movie_id,name,country_of_origin,release_date`. Fields are trimmed. Rules:
 * exactly 4 columns; movie_id follows the API's id rule; name is required; country_of_origin is optional
 * (an empty value leaves the attribute out); release_date is a real calendar date, YYYY-MM-DD.
 */
export function parseMovieInfoRow(fields: readonly string[]): RowResult {
  if (fields.length !== CSV_COLUMNS.length) {
    return reject(`expected ${CSV_COLUMNS.length} columns, got ${fields.length}`);
  }
  const [movieId, name, country, releaseDate] = fields.map((field) => field.trim()) as [
    string,
    string,
    string,
    string,
  ];
  if (movieId === "") return reject("movie_id is empty");
  if (!MOVIE_ID_PATTERN.test(movieId)) return reject(`movie_id must be ${MOVIE_ID_RULE}`);
  if (name === "") return reject("name is empty");
  if (releaseDate === "") return reject("release_date is empty");
  if (!isIsoDate(releaseDate)) {
    return reject(`release_date ${JSON.stringify(releaseDate.slice(0, 40))} is not a valid YYYY-MM-DD date`);
  }
  return {
    ok: true,
    item: {
      movie_id: movieId,
      name,
      ...(country === "" ? {} : { country_of_origin: country }),
      release_date: releaseDate,
    },
  };
}

function reject(reason: string): RowResult {
  return { ok: false, reason };
}
