import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { MovieInfo } from "../lambdas/shared/movies";

/**
 * Row `i` (1-based) of a bench file: the same item the handler writes from that row's CSV line and the bare
 * loop writes directly, so both sides send requests of the same size. The title holds a quoted comma, so
 * the CSV parser takes its quoted path, as spreadsheets' exports make it do.
 */
export function movieRow(prefix: string, i: number): Required<MovieInfo> {
  return {
    movie_id: `${prefix}${i}`,
    name: `Movie number ${i}, the sequel`,
    country_of_origin: "United States",
    release_date: `${1900 + (i % 120)}-0${1 + (i % 9)}-1${i % 10}`,
  };
}

/** Row `i` as a line of a movie infos CSV, with its line break. */
export function csvLine(prefix: string, i: number): string {
  const row = movieRow(prefix, i);
  return `${row.movie_id},"${row.name}",${row.country_of_origin},${row.release_date}\n`;
}

/** What {@link writeCsv} puts in the file besides rows 1..n. */
export interface CsvOptions {
  /** Written before row 1 (with its line break), e.g. a line of another column count. */
  readonly firstLine?: string;
  /**
   * The line for row `i` instead of the clean one, or `undefined` to keep it clean (a dirty file's bad rows).
   * @default every row clean
   */
  readonly replace?: (i: number) => string | Buffer | undefined;
}

/**
 * Writes rows 1..`rows` of `prefix` to `path`, streaming (never held in memory). Returns how many rows
 * `replace` swapped for other lines.
 */
export async function writeCsv(
  path: string,
  rows: number,
  prefix: string,
  options: CsvOptions = {},
): Promise<number> {
  const out = createWriteStream(path);
  const write = async (data: string | Buffer) => {
    if (!out.write(data)) await once(out, "drain");
  };
  let chunk = options.firstLine === undefined ? "" : `${options.firstLine}\n`;
  let replaced = 0;
  for (let i = 1; i <= rows; i++) {
    const other = options.replace?.(i);
    if (other !== undefined) {
      await write(chunk);
      chunk = "";
      await write(other);
      replaced++;
      continue;
    }
    chunk += csvLine(prefix, i);
    if (chunk.length > 64 * 1024) {
      await write(chunk);
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
  return replaced;
}
