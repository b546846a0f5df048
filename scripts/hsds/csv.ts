/**
 * A small RFC 4180 CSV reader for HSDS tabular datasets (no CSV package is
 * installed): quoted fields with doubled quotes, commas and line breaks
 * inside quotes, CRLF or LF, a header row. Each row carries the line it
 * starts on, for the rejected-rows report.
 */
export type CsvRow = { line: number; values: Record<string, string> };

export class CsvError extends Error {}

export function parseCsv(text: string): CsvRow[] {
  const records: { line: number; fields: string[] }[] = [];
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      // the \n ends the record
    } else if (c === '\n' || c === '\r') {
      endRecord();
      line++;
      recordLine = line;
    } else field += c;
  }
  if (quoted) throw new CsvError(`a quoted field opened on line ${recordLine} is never closed`);
  if (field !== '' || fields.length > 0) endRecord();
  const [header, ...rows] = records;
  if (!header) return [];
  const names = header.fields.map((h) => h.trim());
  return rows.map((r) => {
    const values: Record<string, string> = {};
    names.forEach((n, k) => {
      const v = r.fields[k];
      if (v !== undefined && v !== '') values[n] = v;
    });
    return { line: r.line, values };
  });
}

/** Quotes a value for CSV output (tests write datasets with it). */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
