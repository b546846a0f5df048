/**
 * CSV as spreadsheets read it: comma-separated, CRLF line ends, every field
 * quoted when it needs to be, and a cell that a spreadsheet would run as a
 * formula (starting with = + - @ or a tab) kept as text with a leading quote.
 */
export type Cell = string | number | boolean | null | undefined;

function field(value: Cell): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

/** Offers a CSV file to the browser as a download. */
export function downloadCsv(filename: string, csv: string) {
  // A byte order mark so spreadsheets read the file as UTF-8 (names with accents).
  const blob = new Blob(['\uFEFF', csv], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
