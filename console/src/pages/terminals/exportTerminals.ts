// The terminal list as a table to export, with the list's current filters: every matching
// terminal, a thousand a request, each page after the last serial of the one before (an index
// seek however deep, filters.ts), at most EXPORT_MAX_ROWS. Headers in the reader's language,
// times in the reader's zone, as the list shows them.
import type { TFunction } from 'i18next';
import { api } from '../../api';
import { type Collect, pageThrough } from '../../common/ExportButtons';
import { formatTime, userTimeZone } from '../../common/time';
import type { ListPosition } from './filters';
import type { TerminalRow } from './TerminalList';

const PAGE = 1000;

interface Page {
  terminals: TerminalRow[];
  total: number;
  next_after?: string;
}

export function terminalsPath(filter: ListPosition['filter'], after: string | null): string {
  const q = new URLSearchParams(filter as Record<string, string>);
  if (after) q.set('after', after);
  else q.set('offset', '0');
  q.set('limit', String(PAGE));
  return `/terminals?${q.toString()}`;
}

export function collectTerminals(filter: ListPosition['filter'], t: TFunction, tc: TFunction, lang: string): Collect {
  return async (progress, stopped) => {
    const got = await pageThrough<TerminalRow>(async (after) => {
      const p = await api<Page>('GET', terminalsPath(filter, after));
      const full = p.terminals.length === PAGE;
      return { rows: p.terminals, total: p.total, cursor: full && p.next_after ? p.next_after : null };
    }, progress, stopped);
    const tz = userTimeZone();
    const timed = (what: string) => tc('export_timeIn', { what, tz });
    return {
      total: got.total,
      cut: got.cut,
      table: {
        header: [t('serial'), t('merchant'), t('model'), t('version'), t('group'), t('mode'), t('state'),
                 timed(t('lastSeen')), timed(t('retiredAt'))],
        rows: got.rows.map((r) => [
          r.serial,
          r.merchant,
          r.model,
          r.installed_version,
          r.group,
          t(`mode_${r.mode}`, { defaultValue: r.mode }),
          r.retired ? t('retired') : t(`state_${r.state}`, { defaultValue: r.state }),
          r.last_seen ? formatTime(r.last_seen, lang) : t('never'),
          r.retired ? formatTime(r.retired, lang) : '',
        ]),
      },
    };
  };
}
