// GET /api/v1/overview (server/api/console_api.cc).
export interface OverviewData {
  online: number;
  offline: number;
  online_window_seconds: number;
  versions: { model: string; version: string; count: number }[];
  outcomes: { day: string; success: number; failed: number; rolled_back: number }[]; // UTC days, oldest first
  modes: { auto: number; manual: number; never: number };
  security: { version: string; deadline: string; pending: number }[];
  // Releases the kill switch stopped (until an administrator lifts the stop); `at` in unix seconds.
  stopped_releases?: { version: string; reason: string; by: string; at: number | string }[];
}

// Where a click on the overview leads: the terminal list with these filters.
export function terminalsLink(filter: Record<string, string>): string {
  return `/terminals?${new URLSearchParams(filter).toString()}`;
}
