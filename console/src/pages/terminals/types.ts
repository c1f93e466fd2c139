// GET /api/v1/terminals/{serial} (server/api/console_api.cc).
export interface StatusEntry {
  time: string;
  execution: string;
  result: string;
  code: number;
  details: string[];
  progress?: { cnt: number; of: number };
}

export interface DeploymentView {
  id: number;
  release: string;
  status: string;
  result: string;
  message: string;
  created: string;
  updated: string;
  history: StatusEntry[];
  phase?: string; // store::DeploymentPhase
  phase_since?: number | string | null;
  rollout_id?: number | null;
}

export interface TerminalView {
  serial: string;
  model: string;
  installed_version: string;
  group: string;
  merchant_id: number;
  merchant: string;
  organisation: number; // the id of the organisation it belongs to (GET /api/v1/organisations)
  created: string;
  last_seen: string | null;
  time_zone?: string; // effective IANA zone its maintenance window is read in
  time_zone_source?: 'terminal' | 'merchant' | 'fleet';
  online: boolean;
  retired: string | null; // when it was retired (it no longer polls or updates)
  retired_reason: string;
  state: string;
  slots: { reported: boolean; active: string; booted: string; a: { version: string }; b: { version: string } };
  progress: null | {
    deployment: number;
    release: string;
    status: string;
    result: string;
    percent: number;
    bytes: number;
    total: number;
    line: string;
    time: string;
    active: boolean;
  };
  deployments: DeploymentView[];
  notifications: { id: number; kind: string; time: string; text: { 'zh-CN': string; en: string } }[];
  tickets: { id: number; status: string; message: string; note: string; version: string; created: string; updated: string }[];
}

// GET /api/v1/terminals/{serial}/lock (server/api/terminal_control_api.cc): the terminal's
// newest lock; `state` null when it was never locked. `released`: lifted from the back office,
// the terminal not yet told; `unlocked`: the terminal unlocked (ended_how: with the code, or
// told of the release). Never the code itself.
export interface LockView {
  serial: string;
  locked: boolean;
  state: null | 'locked' | 'released' | 'unlocked';
  id?: number;
  reason?: string;
  locked_by?: string;
  locked_at?: string | null;
  ended_at?: string | null;
  ended_by?: string;
  ended_how?: 'code' | 'remote' | '';
  code_issued_at?: string | null;
  code_issued_by?: string;
}

// GET /api/v1/terminals/{serial}/actions (server/api/terminal_control_api.cc, docs/diagnostics.md):
// what staff asked of the terminal, newest first. `pending` until the terminal's next poll;
// `bundle_size` is the kept log bundle's bytes (0: none). `detail` is the terminal's line, in English.
export interface ActionView {
  id: number;
  kind: 'logs' | 'reboot';
  reason: string;
  requested_by: string;
  requested_at: string | null;
  state: 'pending' | 'done' | 'failed';
  done_at: string | null;
  detail: string;
  bundle_size: number;
}

export interface ActionsView {
  serial: string;
  actions: ActionView[];
}

// GET /api/v1/terminals/{serial}/health?days=N (server/api/terminal_health_api.cc, core/health.h):
// what posfleet's agent reports with its polls every `every_seconds`. Any field of a report may
// be absent (the terminal could not read it). Times are UTC text; `last_sale` is a time only.
export type NetworkKind = 'wifi' | 'ethernet' | 'cellular' | 'offline';

export interface HealthReport {
  time: string; // when posfleetd received it
  battery?: number; // percent
  charging?: boolean; // on external power
  storage_free?: number; // bytes
  storage_total?: number; // bytes
  network?: NetworkKind;
  signal?: number; // percent
  uptime?: number; // seconds since the terminal started
  last_sale?: string;
  apps?: Record<string, string>; // name → version
}

// The latest report, with the fleet's conditions as the list's `health` filter finds them.
export interface LatestHealth extends HealthReport {
  low_storage: boolean;
  weak_signal: boolean;
  low_battery: boolean;
}

export interface TerminalHealth {
  serial: string;
  last_seen: string | null;
  every_seconds: number;
  history_seconds: number;
  retention_days: number;
  days: number;
  latest: LatestHealth | null;
  history: HealthReport[]; // oldest first, at least history_seconds apart
}
