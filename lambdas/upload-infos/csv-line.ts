/** The fields of one CSV line, or why the line is not one. */
export type CsvLineResult =
  { readonly ok: true; readonly fields: string[] } | { readonly ok: false; readonly reason: string };

const QUOTE = 0x22;
const COMMA = 0x2c;

/** The reason a line whose quote is left open is rejected. */
export const UNCLOSED_QUOTE_REASON = "quoted field is not closed on its line (a row cannot span lines)";

/**
 * Splits one line of a CSV file into fields, as spreadsheets write them (RFC 4180 quoting): a field in
 * double quotes may hold commas and `""` for a quote. A row is one line: a quote left open at the end of
 * the line makes the line a bad row, and the next line is read as a row of its own, so an unclosed quote
 * costs only its line instead of swallowing the rest of the file.
 *
 * A stray quote inside an unquoted field (`Al"ien`), or text after a closing quote (`"Se7en"x`), is kept
 * as text, as csv-parse's `relax_quotes` did before.
 */
export function parseCsvLine(line: string): CsvLineResult {
  if (!line.includes('"')) return { ok: true, fields: line.split(",") };
  const fields: string[] = [];
  let position = 0;
  for (;;) {
    if (line.charCodeAt(position) !== QUOTE) {
      const comma = line.indexOf(",", position);
      if (comma === -1) {
        fields.push(line.slice(position));
        return { ok: true, fields };
      }
      fields.push(line.slice(position, comma));
      position = comma + 1;
      continue;
    }
    let value = "";
    let from = position + 1;
    for (;;) {
      const quote = line.indexOf('"', from);
      if (quote === -1) return { ok: false, reason: UNCLOSED_QUOTE_REASON };
      value += line.slice(from, quote);
      const next = quote + 1;
      if (line.charCodeAt(next) === QUOTE) {
        value += '"';
        from = next + 1;
        continue;
      }
      if (next === line.length) {
        fields.push(value);
        return { ok: true, fields };
      }
      if (line.charCodeAt(next) === COMMA) {
        fields.push(value);
        position = next + 1;
        break;
      }
      // Text after the closing quote: the field is taken as text, quotes included, up to the next comma.
      const comma = line.indexOf(",", next);
      fields.push(`"${value}${line.slice(quote, comma === -1 ? line.length : comma)}`);
      if (comma === -1) return { ok: true, fields };
      position = comma + 1;
      break;
    }
  }
}
