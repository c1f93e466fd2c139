// A release's deployments as a table to export (the progress card, Progress.tsx): every
// deployment of the release, a thousand a request through GET /deployments?release= (newest
// first), at most EXPORT_MAX_ROWS; each with its state, phase, download percent (from the
// progress view for the newest thousand, 100 once it succeeded), last message in the reader's
// language and when it last changed, in the reader's zone.
import type { TFunction } from 'i18next';
import { api } from '../../api';
import { agentLine } from '../../common/agentText';
import { type Collect, pageThrough } from '../../common/ExportButtons';
import { formatTime, userTimeZone } from '../../common/time';
import type { ProgressRow } from './Progress';

const PAGE = 1000;

interface Deployment {
  id: number;
  terminal: string;
  status: string;
  result: string;
  message: string;
  updated: string;
  phase?: string;
}

// The update state of a deployment: the server's one rule (store::update_state_of).
export function deploymentState(status: string, result: string): string {
  if (status === 'finished') return result === 'success' ? 'success' : 'failed';
  if (status === 'running' || status === 'canceling') return 'running';
  return status; // scheduled, canceled
}

export function collectProgress(release: string, t: TFunction, tc: TFunction, lang: string): Collect {
  const v = encodeURIComponent(release);
  return async (progress, stopped) => {
    const newest = await api<{ deployments: ProgressRow[] }>('GET', `/releases/${v}/progress?limit=${PAGE}`);
    const percent = new Map(newest.deployments.map((d) => [d.id, d.percent]));
    const got = await pageThrough<Deployment>(async (cursor) => {
      const offset = Number(cursor ?? 0);
      const p = await api<{ deployments: Deployment[]; total: number }>(
        'GET', `/deployments?release=${v}&offset=${offset}&limit=${PAGE}`);
      const full = p.deployments.length === PAGE;
      return { rows: p.deployments, total: p.total, cursor: full ? String(offset + PAGE) : null };
    }, progress, stopped);
    // New deployments move older ones to later pages while the export reads: each is kept once.
    const seen = new Set<number>();
    const rows = got.rows.filter((d) => !seen.has(d.id) && seen.add(d.id));
    const tz = userTimeZone();
    return {
      total: got.total,
      cut: got.cut,
      table: {
        header: [t('terminal'), t('state'), t('phase'), t('percent'), t('message'),
                 tc('export_timeIn', { what: t('updated'), tz })],
        rows: rows.map((d) => {
          const state = deploymentState(d.status, d.result);
          const p = state === 'success' ? 100 : percent.get(d.id);
          return [
            d.terminal,
            t(`state_${state}`, { defaultValue: state }),
            d.phase ? tc(`phase_${d.phase}`, { defaultValue: d.phase }) : '',
            typeof p === 'number' ? p : null,
            agentLine(tc, lang, d.message),
            formatTime(d.updated, lang),
          ];
        }),
      },
    };
  };
}
