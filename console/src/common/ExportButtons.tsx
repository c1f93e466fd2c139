// Export buttons for a list (docs/import-export.md): 导出 CSV / 导出 Excel. The page gives a
// `collect` that reads its rows (usually page by page through its list API with the page's
// filters, pageThrough below), reporting the rows so far; at most EXPORT_MAX_ROWS, and the
// reader is told when that cut the export. The file is made here (sheets.ts) and downloaded.
import { useRef, useState } from 'react';
import { Alert, Button, Space, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorText } from './errors';
import { fileName, saveFile, type SheetTable, toCsv, toXlsx } from './sheets';

export const EXPORT_MAX_ROWS = 100_000;

export interface Collected {
  table: SheetTable;
  total: number; // rows that match
  cut: boolean; // more matched than the export holds
}

// progress(rows so far, rows that match); stopped() turns true when the reader stops it.
export type Collect = (progress: (n: number, total?: number) => void, stopped: () => boolean) => Promise<Collected>;

export class ExportStopped extends Error {}
// A refusal the page words itself (its message is shown as it is, already in the reader's language).
export class ExportRefused extends Error {}

// Reads pages until the last (a page without a cursor) or `max` rows; `next(null)` is the
// first page.
export async function pageThrough<T>(
  next: (cursor: string | null) => Promise<{ rows: T[]; total: number; cursor: string | null }>,
  progress: (n: number, total?: number) => void,
  stopped: () => boolean,
  max = EXPORT_MAX_ROWS,
): Promise<{ rows: T[]; total: number; cut: boolean }> {
  const rows: T[] = [];
  let total = 0;
  let cursor: string | null = null;
  for (;;) {
    const page = await next(cursor);
    if (stopped()) throw new ExportStopped();
    total = Math.max(total, page.total);
    rows.push(...page.rows);
    progress(Math.min(rows.length, max), total);
    if (rows.length >= max || !page.cursor || page.rows.length === 0) break;
    cursor = page.cursor;
  }
  return { rows: rows.slice(0, max), total, cut: rows.length > max || total > max };
}

interface Props {
  testId: string; // buttons `${testId}-csv` and `${testId}-xlsx`, `${testId}-progress`, `${testId}-cut`
  base: string; // file name: posfleet-<base>-<day>.csv
  sheet: string; // the .xlsx sheet's name
  collect: Collect;
  disabled?: boolean;
  formats?: ('csv' | 'xlsx')[]; // both unless told
}

export default function ExportButtons({ testId, base, sheet, collect, disabled, formats = ['csv', 'xlsx'] }: Props) {
  const { t, i18n } = useTranslation();
  const [running, setRunning] = useState<'csv' | 'xlsx' | null>(null);
  const [count, setCount] = useState<{ n: number; total?: number }>({ n: 0 });
  const [done, setDone] = useState<{ n: number; total: number; cut: boolean } | null>(null);
  const [error, setError] = useState('');
  const stop = useRef(false);

  const run = async (format: 'csv' | 'xlsx') => {
    stop.current = false;
    setRunning(format);
    setCount({ n: 0 });
    setDone(null);
    setError('');
    try {
      const got = await collect((n, total) => setCount({ n, total }), () => stop.current);
      const blob =
        format === 'csv'
          ? new Blob([toCsv(got.table)], { type: 'text/csv;charset=utf-8' })
          : await toXlsx(got.table, sheet);
      if (stop.current) throw new ExportStopped();
      saveFile(blob, fileName(base, format));
      setDone({ n: got.table.rows.length, total: got.total, cut: got.cut });
    } catch (e) {
      if (e instanceof ExportStopped) setError(t('export_stopped'));
      else if (e instanceof ExportRefused) setError(e.message);
      else setError(t('export_failed', { message: errorText(t, e) }));
    } finally {
      setRunning(null);
    }
  };

  return (
    <Space orientation="vertical" size={4}>
      <Space wrap>
        {formats.map((f) => (
          <Button key={f} icon={<DownloadOutlined />} loading={running === f} disabled={disabled || running !== null}
                  onClick={() => run(f)} data-testid={`${testId}-${f}`}>
            {t(`export_${f}`)}
          </Button>
        ))}
        {running && (
          <>
            <Typography.Text type="secondary" data-testid={`${testId}-progress`}>
              {count.total ? t('export_runningOf', count) : t('export_running', count)}
            </Typography.Text>
            <Button size="small" onClick={() => { stop.current = true; }} data-testid={`${testId}-stop`}>
              {t('export_stop')}
            </Button>
          </>
        )}
        {!running && done && !done.cut && (
          <Typography.Text type="secondary" data-testid={`${testId}-done`} data-rows={done.n}>
            {t('export_done', { n: done.n })}
          </Typography.Text>
        )}
      </Space>
      {!running && done?.cut && (
        <Alert type="warning" showIcon data-testid={`${testId}-cut`} data-rows={done.n}
               title={t('export_cut', { total: done.total.toLocaleString(i18n.language),
                                        max: EXPORT_MAX_ROWS.toLocaleString(i18n.language) })} />
      )}
      {error && <Alert type="error" showIcon data-testid={`${testId}-error`} title={error} />}
    </Space>
  );
}
