// The rollout API's shapes (server/api/rollouts_api.cc, docs/rollouts.md) and
// the words the page shares between its parts. Times are unix seconds.
import { formatWhen } from '../../common/time';

export type Counts = Record<string, number>;

export interface WaveSpec {
  percent?: number | null;
  group?: string | null;
  success_threshold?: number;
  error_threshold?: number;
  soak_seconds?: number;
  needs_approval?: boolean;
}

export interface Wave {
  index: number;
  spec: WaveSpec;
  state: string;
  terminals: number;
  started: number | null;
  soak_until: number | null;
  approved_by: string | null;
  approved_at: number | null;
  counts: Counts;
}

export interface RolloutRow {
  id: number;
  name: string;
  release: string;
  target: Record<string, unknown>;
  created_by: string;
  created: number;
  start_at: number | null;
  started: number | null;
  state: string;
  state_reason: string;
  current_wave: number;
  waves: number | Wave[];
  progress: { total: number; success: number; failed: number };
}

export interface Rollout extends Omit<RolloutRow, 'waves'> {
  waves: Wave[];
  // What the release's downloads sent so far (all its deployments), against full downloads.
  release_bytes?: { sent: number; full: number };
}

export interface Preview {
  total: number;
  waves: { index: number; terminals: number; groups: string[] | null; percent: number | null;
           can_start_at: number | null; frozen_until: number | null }[];
  excluded: Record<string, number>;
}

export interface RolloutTerminal {
  serial: string;
  wave: number;
  phase: string;
  phase_since: number | null;
  message: string;
  deployment_id: number | null;
}

// Rollout states, in the order a rollout lives them.
export const ROLLOUT_STATES = ['draft', 'scheduled', 'running', 'waiting_approval', 'paused', 'finished', 'canceled',
                               'stopped'] as const;
export const STATE_COLORS: Record<string, string> = {
  draft: 'default', scheduled: 'default', running: 'processing', waiting_approval: 'gold', paused: 'warning',
  finished: 'success', canceled: 'default', stopped: 'error',
};
// What a wave's terminals are doing (store::DeploymentPhase, plus unreachable).
export const PHASES = ['scheduled', 'waiting_window', 'downloading', 'installing', 'success', 'failed', 'rolled_back',
                       'timed_out', 'declined', 'canceled', 'unreachable'] as const;
export const PHASE_COLORS: Record<string, string> = {
  scheduled: '#bfbfbf', waiting_window: '#8c8c8c', downloading: '#1677ff', installing: '#13c2c2', success: '#52c41a',
  failed: '#f5222d', rolled_back: '#fa8c16', timed_out: '#eb2f96', declined: '#722ed1', canceled: '#d9d9d9',
  unreachable: '#595959',
};
export const EXCLUSIONS = ['wrong_model', 'already_installed', 'mode_never', 'offline', 'retired', 'busy', 'other_organisation', 'not_in_wave'] as const;

// A unix time in the reader's time zone and language; '' for none.
export function unixTime(s: number | string | null | undefined, lang: string): string {
  return formatWhen(s, lang);
}

// "2026-11-10T22:00" from a datetime-local input (the reader's local time) to unix seconds.
export function localToUnix(local: string): number | null {
  if (!local) return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : Math.floor(d.getTime() / 1000);
}
