import { isUtf8 } from "node:buffer";
import { CSV_COLUMNS } from "../shared/movies-contract";
import { MOVIE_ID_PATTERN, MOVIE_ID_RULE, type MovieInfo } from "../shared/movies";
import { parseCsvLine } from "./csv-line";
import { itemSizeBytes, MAX_ITEM_BYTES } from "./item-size";
import { firstInvalidUtf8Byte, MAX_LINE_BYTES, type PhysicalLine } from "./lines";

/** The optional header row; detected when the first record equals it (trimmed, case-insensitive). */
export { CSV_COLUMNS };

/** A row that was not written, with the line it starts on (1-based, counting blank lines). */
export interface RowRejection {
  readonly line: number;
  readonly reason: string;
}

/** Outcome of validating one CSV record: the item to write, or why not. */
export type RowResult =
  | { readonly ok: true; readonly item: MovieInfo; /** As DynamoDB counts it. */ readonly size: number }
  | { readonly ok: false; readonly reason: string };

/** True when `fields` is the header row. */
export function isHeaderRow(fields: readonly string[]): boolean {
  return (
    fields.length === CSV_COLUMNS.length &&
    fields.every((field, index) => field.trim().toLowerCase() === CSV_COLUMNS[index])
  );
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * True for a real calendar date written YYYY-MM-DD ("2024-02-29" yes, "2023-02-29" and "2023-2-1" no), in the
 * proleptic Gregorian calendar as `Date` has it. Checked with integers, not a `Date`: it runs for every row,
 * and building a Date was our largest cost per row in upload-infos' CPU profile (issue 13).
 */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (match === null) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number));
}

/**
 * Validates one record `movie_id,name,country_of_origin,release_date`. Fields are trimmed. Rules:
 * exactly 4 columns; movie_id follows the API's id rule; name is required; country_of_origin is optional
 * (an empty value leaves the attribute out); release_date is a real calendar date, YYYY-MM-DD; the item
 * fits DynamoDB's 400 KB item limit.
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
  const item: MovieInfo = {
    movie_id: movieId,
    name,
    ...(country === "" ? {} : { country_of_origin: country }),
    release_date: releaseDate,
  };
  const size = itemSizeBytes(item);
  if (size > MAX_ITEM_BYTES) {
    return reject(`item is ${size} bytes, over DynamoDB's item limit of ${MAX_ITEM_BYTES} bytes (400 KB)`);
  }
  return { ok: true, item, size };
}

function reject(reason: string): RowResult {
  return { ok: false, reason };
}

/** What one physical line of an upload is. */
export type LineOutcome =
  | { readonly kind: "blank" }
  | { readonly kind: "header" }
  | { readonly kind: "rejected"; readonly reason: string }
  | { readonly kind: "row"; readonly item: MovieInfo; readonly size: number };

/**
 * Reads one physical line as a row: blank, the header (only when `mayBeHeader`, i.e. for the first line
 * that is not blank), a bad row with its reason, or the item to write. Checks run cheapest first: length,
 * then strict UTF-8 (a byte that is not UTF-8, such as a Windows-1252 "é", rejects the line instead of
 * being stored as U+FFFD), then CSV quoting, then the row rules of {@link parseMovieInfoRow}.
 */
export function readLineAsRow(line: PhysicalLine, mayBeHeader: boolean): LineOutcome {
  const { bytes } = line;
  if (bytes === undefined) {
    return rejected(`line is ${line.tooLongBytes} bytes, over the limit of ${MAX_LINE_BYTES} bytes`);
  }
  if (bytes.length === 0) return { kind: "blank" };
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8Byte(bytes);
    const byte = (bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, "0");
    return rejected(`not valid UTF-8: byte 0x${byte} at byte ${at + 1} of the line (save the file as UTF-8)`);
  }
  const csv = parseCsvLine(bytes.toString("utf8"));
  if (!csv.ok) return rejected(csv.reason);
  return readFieldsAsRow(csv.fields, mayBeHeader);
}

/**
 * Reads the fields of one record, already split from its line, as a row: the header (only when
 * `mayBeHeader`), a bad row with its reason, or the item to write. Both paths end here: the small path
 * after {@link readLineAsRow}'s byte checks, the fan-out path with the fields Step Functions' CSV reader split.
 */
export function readFieldsAsRow(fields: readonly string[], mayBeHeader: boolean): LineOutcome {
  if (mayBeHeader && isHeaderRow(fields)) return { kind: "header" };
  const row = parseMovieInfoRow(fields);
  return row.ok ? { kind: "row", item: row.item, size: row.size } : rejected(row.reason);
}

function rejected(reason: string): LineOutcome {
  return { kind: "rejected", reason };
}
