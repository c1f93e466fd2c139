// Spreadsheet files in and out of the console (docs/import-export.md), every byte of a file
// taken as hostile: bounded, checked, never run.
//
// In: a CSV file read as the CLI reads it (cli/import_commands.cc: UTF-8 with or without a
// byte-order mark, RFC 4180 quotes, each record with the line it starts on, blank lines
// skipped), and an .xlsx file by `read-excel-file` (xlsxReader.ts, run in a worker by
// readSheetFile.ts), each row with its row number in the sheet, after its table of contents
// was checked here.
// Out: a table (header and rows) as CSV (a byte-order mark so Excel reads Chinese, CRLF, RFC
// 4180 quotes) or as .xlsx by `write-excel-file`; in both, text a spreadsheet would run as a
// formula (= + - @ first) starts with an apostrophe.
// Errors are SheetError with a code the page turns into words in the reader's language.

export const MAX_FILE_BYTES = 5 * 1024 * 1024;

export type SheetErrorCode =
  | 'tooLarge' // the file is larger than MAX_FILE_BYTES
  | 'notUtf8' // a CSV file that is not UTF-8
  | 'unclosedQuote' // a quote opened on `line` is never closed
  | 'badXlsx' // not an .xlsx file we can read (not a zip, damaged, an old .xls)
  | 'xlsxTooBig' // an .xlsx that unpacks into too much
  | 'xlsxTimeout' // reading the .xlsx took longer than XLSX_SECONDS
  | 'unknownType'; // neither .csv nor .xlsx

export class SheetError extends Error {
  constructor(public code: SheetErrorCode, public params: Record<string, string | number> = {}) {
    super(code);
  }
}

// One record of a file: its cells and the line (CSV) or row (xlsx) it starts on, from 1.
export interface SheetRecord {
  line: number;
  cells: string[];
}

// ---- CSV in ----

// The text of a CSV file: UTF-8, a leading byte-order mark dropped.
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SheetError('notUtf8');
  }
}

// The records of a CSV text, as the CLI parses them: a record starts on the line after the
// previous one ends; a quoted field may span lines; a line holding nothing is skipped.
export function parseCsv(input: string): SheetRecord[] {
  const s = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const out: SheetRecord[] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let any = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') {
      quoted = any = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
      any = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      if (any || field !== '') {
        row.push(field);
        out.push({ line: start, cells: row });
      }
      row = [];
      field = '';
      any = false;
      start = ++line;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) throw new SheetError('unclosedQuote', { line: start });
  if (any || field !== '') {
    row.push(field);
    out.push({ line: start, cells: row });
  }
  return out;
}

// ---- xlsx in ----

// What the .xlsx's table of contents (its zip central directory) says the parts hold,
// before anything is unpacked: at most 2,000 parts and 64 MiB of XML. The reader's unpacker
// allocates what a part declares and never more, so this bounds its memory.
const MAX_PARTS = 2000;
const MAX_XML_BYTES = 64 * 1024 * 1024;

export function checkXlsxContents(buf: ArrayBuffer): void {
  const bytes = new Uint8Array(buf);
  if (bytes.length < 22 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw new SheetError('badXlsx');
  const view = new DataView(buf);
  try {
    let end = -1;
    for (let i = bytes.length - 22; i >= 0 && i >= bytes.length - 22 - 0xffff; i--)
      if (view.getUint32(i, true) === 0x06054b50) {
        end = i;
        break;
      }
    if (end < 0) throw new SheetError('badXlsx');
    const count = view.getUint16(end + 10, true);
    let at = view.getUint32(end + 16, true);
    if (count > MAX_PARTS) throw new SheetError('xlsxTooBig');
    let xml = 0;
    for (let n = 0; n < count; n++) {
      if (view.getUint32(at, true) !== 0x02014b50) throw new SheetError('badXlsx');
      const size = view.getUint32(at + 24, true);
      const nameLength = view.getUint16(at + 28, true);
      const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
      if (at + 46 + nameLength > bytes.length) throw new SheetError('badXlsx');
      const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
      if (name.endsWith('.xml') || name.endsWith('.xml.rels')) {
        if (size === 0xffffffff) throw new SheetError('xlsxTooBig'); // ZIP64: far beyond the bound
        xml += size;
      }
      if (xml > MAX_XML_BYTES) throw new SheetError('xlsxTooBig');
      at += 46 + skip;
    }
  } catch (e) {
    if (e instanceof SheetError) throw e;
    throw new SheetError('badXlsx'); // a length pointing outside the file
  }
}

// ---- out ----

export type Cell = string | number | null | undefined;

export interface SheetTable {
  header: string[];
  rows: Cell[][];
}

// Text a spreadsheet would take for a formula (or a DDE command) starts with an apostrophe,
// so it is shown, never run. Full-width signs too: some spreadsheets read them as formulas.
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

// One CSV field: text neutralised, quoted when it holds a comma, a quote or a line break
// (RFC 4180); numbers as they are.
export function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = neutralise(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// A table as CSV text: a byte-order mark (Excel then reads UTF-8), CRLF after every record.
export function toCsv(table: SheetTable): string {
  const lines = [table.header, ...table.rows].map((r) => r.map(csvField).join(','));
  return `\uFEFF${lines.map((l) => `${l}\r\n`).join('')}`;
}

// A sheet's name as Excel takes it: at most 31 characters, none of []:*?/\.
function sheetName(name: string): string {
  return name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Sheet1';
}

// Text as an .xlsx cell holds it: characters XML 1.0 cannot carry (control characters, lone
// surrogates) become U+FFFD, and at most Excel's 32,767 characters a cell (cut with "…").
export const XLSX_CELL_CHARS = 32767;
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
export function xlsxText(text: string): string {
  const clean = neutralise(text).replace(NOT_XML, '\uFFFD');
  if (clean.length <= XLSX_CELL_CHARS) return clean;
  const cut = /[\uD800-\uDBFF]/.test(clean[XLSX_CELL_CHARS - 2]) ? XLSX_CELL_CHARS - 2 : XLSX_CELL_CHARS - 1;
  return `${clean.slice(0, cut)}…`;
}

// A table as an .xlsx file: the header bold and kept in view; text cells neutralised.
export async function toXlsx(table: SheetTable, name: string): Promise<Blob> {
  const { default: writeXlsxFile } = await import('write-excel-file/browser');
  const cell = (v: Cell) =>
    typeof v === 'number' ? { value: v, type: Number } : { value: xlsxText(v ?? ''), type: String };
  const width = (i: number) =>
    Math.min(60, Math.max(8, ...[table.header[i], ...table.rows.slice(0, 200).map((r) => String(r[i] ?? ''))]
      .map((s) => [...s].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x2e7f ? 2 : 1), 0) + 2)));
  const data = [
    table.header.map((h) => ({ value: xlsxText(h), type: String, fontWeight: 'bold' as const })),
    ...table.rows.map((r) => r.map(cell)),
  ];
  return writeXlsxFile(data, {
    sheet: sheetName(name),
    stickyRowsCount: 1,
    columns: table.header.map((_, i) => ({ width: width(i) })),
  }).toBlob();
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// Hands `blob` to the browser as a download named `name`.
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// "posfleet-terminals-2026-11-24.xlsx": the day in the reader's zone.
export function fileName(base: string, ext: 'csv' | 'xlsx', now = new Date()): string {
  const day = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  return `posfleet-${base}-${day}.${ext}`;
}
