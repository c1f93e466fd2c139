// A file of terminals to import (docs/import-export.md) read into the rows of
// POST /api/v1/terminals/import, as the CLI reads its CSV (cli/import_commands.cc): the first
// record is the header naming the columns in English or Chinese, in any order (others are
// ignored); each later record is a row with the line it starts on in the file.
import type { SheetRecord } from '../../common/sheets';

export const IMPORT_FIELDS = ['serial', 'model', 'merchant', 'group', 'time_zone'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

// The server's limits: rows a file (domain::kMaxImportRows), bytes of UTF-8 a field once
// trimmed (api/terminal_import_api.cc).
export const MAX_IMPORT_ROWS = 10000;
export const MAX_FIELD_BYTES = 1000;

const COLUMN_NAMES: Record<string, ImportField> = {
  serial: 'serial', 序列号: 'serial', model: 'model', 型号: 'model', merchant: 'merchant', 商户: 'merchant',
  group: 'group', 分组: 'group', time_zone: 'time_zone', 时区: 'time_zone',
};

export type ImportRow = { line: number } & Partial<Record<ImportField, string>>;

// What the server answers (server/api/terminal_import_api.cc).
export interface ImportProblem {
  line: number;
  field: string;
  code: string;
  message: { 'zh-CN': string; en: string };
}
export interface ImportAnswer {
  dry_run: boolean;
  applied: boolean;
  rows: number;
  problems: ImportProblem[];
  terminals: { serial: string; token: string }[];
}

// Why a file cannot be sent at all; `line` where it says.
export type FileProblem =
  | { code: 'empty' }
  | { code: 'noHeader'; line: number }
  | { code: 'tooManyRows'; rows: number; max: number }
  | { code: 'tooLong'; line: number; field: ImportField; max: number };

const utf8 = new TextEncoder();

// The rows of the records, or why there are none to send.
export function importRows(records: SheetRecord[]): { rows: ImportRow[] } | { problem: FileProblem } {
  if (records.length === 0) return { problem: { code: 'empty' } };
  const [header, ...data] = records;
  const columns = header.cells.map((h) => COLUMN_NAMES[h.trim()]);
  if (!columns.includes('serial') || !columns.includes('model'))
    return { problem: { code: 'noHeader', line: header.line } };
  if (data.length === 0) return { problem: { code: 'empty' } };
  if (data.length > MAX_IMPORT_ROWS)
    return { problem: { code: 'tooManyRows', rows: data.length, max: MAX_IMPORT_ROWS } };
  const rows: ImportRow[] = [];
  for (const r of data) {
    const row: ImportRow = { line: r.line };
    r.cells.forEach((cell, i) => {
      const field = columns[i];
      // Empty cells are left out: the body stays small (the server's JSON limit is 1 MiB).
      if (field && cell.trim() !== '') row[field] = cell;
    });
    for (const f of IMPORT_FIELDS)
      if (utf8.encode(row[f]?.trim() ?? '').length > MAX_FIELD_BYTES)
        return { problem: { code: 'tooLong', line: r.line, field: f, max: MAX_FIELD_BYTES } };
    rows.push(row);
  }
  return { rows };
}

// The tokens of the new terminals as the CLI's --tokens-out writes them: serial,token.
export function tokensCsv(terminals: { serial: string; token: string }[]): string {
  return `serial,token\n${terminals.map((t) => `${t.serial},${t.token}\n`).join('')}`;
}
