// The audit query as an Excel table, built from the server's own export in JSON Lines with
// the page's filters (GET /audit/export?format=jsonl: at most 100,000 entries, oldest first,
// itself recorded in the log as audit.export): headers, paths, actions and targets in the
// reader's language, times in the reader's zone, as the page shows them. The CSV export
// stays the server's (English column names, UTC, the hash chain's columns).
import type { TFunction } from 'i18next';
import { ApiError, apiLines } from '../../api';
import { type Collect, EXPORT_MAX_ROWS, ExportRefused, ExportStopped } from '../../common/ExportButtons';
import { formatTime, userTimeZone } from '../../common/time';
import { actionText, targetText } from './actions';

// An audit entry as the API gives it (the log page reads the same).
export interface Entry {
  id: number;
  time_utc: string;
  actor: string;
  actor_kind: string;
  address: string;
  path: string;
  action: string;
  target: string;
  before: string;
  after: string;
  reason: string;
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function collectAudit(filters: URLSearchParams, total: number | undefined, ta: TFunction, tc: TFunction,
                             lang: string): Collect {
  return async (progress, stopped) => {
    const tooMany = (n: number) =>
      new ExportRefused(ta('exportTooMany', { total: n.toLocaleString(lang), max: EXPORT_MAX_ROWS.toLocaleString(lang) }));
    if (total !== undefined && total > EXPORT_MAX_ROWS) throw tooMany(total);
    const q = new URLSearchParams(filters);
    q.set('format', 'jsonl');
    let body: string;
    try {
      body = await apiLines(`/audit/export?${q}`, (n) => progress(n, total));
    } catch (e) {
      // The server refuses more than it exports at once ("N entries match; narrow the filters").
      const n = e instanceof ApiError ? Number(/^(\d+) entries match/.exec(e.message)?.[1]) : NaN;
      if (n > EXPORT_MAX_ROWS) throw tooMany(n);
      throw e;
    }
    if (stopped()) throw new ExportStopped();
    const entries: Entry[] = body.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
    progress(entries.length, entries.length);
    const tz = userTimeZone();
    return {
      total: entries.length,
      cut: false,
      table: {
        header: ['#', tc('export_timeIn', { what: ta('time'), tz }), ta('actor'), ta('path'), ta('action'), ta('target'),
                 ta('reason'), ta('address'), ta('before'), ta('after')],
        rows: entries.map((e) => [
          typeof e.id === 'number' ? e.id : null,
          formatTime(text(e.time_utc), lang),
          text(e.actor),
          ta(`path_${text(e.path)}`, { defaultValue: text(e.path) }),
          actionText(text(e.action), lang),
          targetText(text(e.target), lang),
          text(e.reason),
          text(e.address),
          text(e.before),
          text(e.after),
        ]),
      },
    };
  };
}
