// Dates as the user reads them: in the browser's time zone and the console's
// language. The server always sends UTC ("2026-11-24T08:00:00Z").
export function formatTime(iso: string | null | undefined, lang: string, timeZone?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZone,
  }).format(d);
}

// The user's time zone, shown beside times so nobody has to guess.
export function userTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

// A time the newer APIs send as unix seconds (rollouts, freezes, webhooks), or
// an ISO string as the older ones do, in the reader's zone; '' for none.
export function formatWhen(v: number | string | null | undefined, lang: string): string {
  if (v === null || v === undefined || v === '' || v === 0) return '';
  if (typeof v === 'string') return formatTime(v, lang);
  if (!Number.isFinite(v)) return '';
  return formatTime(new Date(v * 1000).toISOString(), lang);
}
