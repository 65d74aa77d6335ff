/**
 * The movies service's contracts, shared by the Lambdas (what they accept and store) and the stack (what
 * the API's request models allow), so the two cannot drift apart. No imports: infra code may import this
 * file, and it must not pull Lambda code with it.
 */

/**
 * Movie ids are 1 to 128 characters of ASCII letters, digits, `_`, `.` and `-` ("mv1", "tt0816692").
 * The same rule applies to the path parameter, to request bodies and to CSV uploads, so every stored
 * movie is addressable.
 */
export const MOVIE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;

/** {@link MOVIE_ID_PATTERN} in words, for error messages. */
export const MOVIE_ID_RULE = '1 to 128 characters of letters, digits, "_", "." or "-"';

/**
 * The columns of a movie infos CSV, in order. upload-infos detects the optional header row by them, and the
 * ingestion state machine's CSV reader is given them as its headers.
 */
export const CSV_COLUMNS = ["movie_id", "name", "country_of_origin", "release_date"] as const;
