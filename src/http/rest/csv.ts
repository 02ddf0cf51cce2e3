/**
 * CSV (RFC 4180) of a list of flat rows, for the console's downloads. A field is quoted
 * when it holds a comma, quote or line break; one a spreadsheet would run as a formula
 * (starting with = + - @, a tab or a carriage return: ids and titles are users') is
 * prefixed with ' as OWASP advises.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

function field(value: unknown): string {
  const text = typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : value == null ? "" : JSON.stringify(value);
  const safe = typeof value === "string" && FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The header is the first row's keys (every row has the same, from one presenter). */
export function toCsv(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[]): string {
  const lines = [columns.map(field).join(","), ...rows.map((row) => columns.map((column) => field(row[column])).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}
