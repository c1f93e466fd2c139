// The first sheet of an .xlsx file as records (sheets.ts), by `read-excel-file`. Run in a
// worker of its own (xlsxReader.worker.ts, started by readSheetFile.ts); called directly by
// tests. Imports nothing of the console at run time, so the worker stays one small file.
import { readSheet } from 'read-excel-file/browser';
import type { SheetRecord } from './sheets';

// A cell of read-excel-file as text: numbers as written, dates as UTC ISO text.
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString();
  return '';
}

// The rows of a sheet (row i is the sheet's row i + 1) as records; empty rows are skipped.
export function recordsOfSheet(data: unknown[][]): SheetRecord[] {
  const out: SheetRecord[] = [];
  data.forEach((row, i) => {
    const cells = (Array.isArray(row) ? row : []).map(cellText);
    if (cells.some((c) => c !== '')) out.push({ line: i + 1, cells });
  });
  return out;
}

// The records of the first sheet; throws (the reader's own English reasons) when the bytes are
// not an .xlsx file it can read: not a zip, a damaged part, no sheet.
export async function readXlsxRecords(buf: ArrayBuffer): Promise<SheetRecord[]> {
  return recordsOfSheet((await readSheet(buf, 1)) as unknown[][]);
}
