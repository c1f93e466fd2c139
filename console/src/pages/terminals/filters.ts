// The terminal list's filters as they live in the URL (/terminals?model=A920&
// mode=never&page=2), the same names as the server's terminal filter
// (server/api/terminal_filter.h), so overview links and reloads just work. A page
// reached from the one beside it also names the serial it starts after (or ends
// before), so that paging through a million terminals stays an index seek.
// `health` is a condition of the terminal's latest health report, `not_seen_days` "not seen for
// at least N days" (the server takes it without `online`), `organisation` an organisation's
// subtree (the organisations page links to it).
export const FILTER_KEYS = ['q', 'model', 'version', 'group', 'mode', 'state', 'online', 'pending',
                            'health', 'not_seen_days', 'organisation'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export const MODES = ['auto', 'manual', 'never'] as const;
export const STATES = ['idle', 'scheduled', 'running', 'success', 'failed', 'canceled'] as const;
export const HEALTH_CONDITIONS = ['low_battery', 'low_storage', 'weak_signal'] as const;
export const NOT_SEEN_DAYS = [1, 3, 7, 30];
export const PAGE_SIZES = [20, 50, 100];

// The values the server takes for the newer filters (server/api/terminal_filter.cc); another
// value from a hand-written URL is left out rather than sent to be refused.
const WHOLE = /^[1-9][0-9]{0,9}$/;
const VALID: Partial<Record<FilterKey, (v: string) => boolean>> = {
  health: (v) => (HEALTH_CONDITIONS as readonly string[]).includes(v),
  not_seen_days: (v) => WHOLE.test(v) && Number(v) <= 3650,
  organisation: (v) => WHOLE.test(v),
};

export interface ListPosition {
  filter: Partial<Record<FilterKey, string>>;
  page: number; // from 1
  size: number;
  // The page came from the one before or after it: it starts after, or ends before, this serial
  // (the server seeks to it in its index however deep the page is; an offset would be counted).
  after?: string;
  before?: string;
}

// What the server takes as a serial (domain::valid_serial); anything else in the URL is ignored.
const SERIAL = /^[A-Za-z0-9._-]{1,64}$/;

export function readPosition(params: URLSearchParams): ListPosition {
  const filter: Partial<Record<FilterKey, string>> = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v && (VALID[k]?.(v) ?? true)) filter[k] = v;
  }
  // Not seen for N days is offline already: the server takes one of the two, the more precise.
  if (filter.not_seen_days) delete filter.online;
  const page = Math.max(1, Math.floor(Number(params.get('page')) || 1));
  const size = PAGE_SIZES.includes(Number(params.get('size'))) ? Number(params.get('size')) : PAGE_SIZES[0];
  const pos: ListPosition = { filter, page, size };
  const after = params.get('after') ?? '';
  const before = params.get('before') ?? '';
  if (page > 1 && SERIAL.test(after)) pos.after = after;
  else if (page > 1 && SERIAL.test(before)) pos.before = before;
  return pos;
}

// The API path for one page of the list.
export function listPath({ filter, page, size, after, before }: ListPosition): string {
  const q = new URLSearchParams(filter as Record<string, string>);
  if (after) q.set('after', after);
  else if (before) q.set('before', before);
  else q.set('offset', String((page - 1) * size));
  q.set('limit', String(size));
  return `/terminals?${q.toString()}`;
}

// The URL for page `page` of `size` rows, seen from `params` (the list at `current`, whose rows
// run from serial `first` to `last`): the next or the previous page is the one after the last
// row or before the first, a jump elsewhere (or a new page size) counts from the start.
export function withPage(params: URLSearchParams, current: ListPosition, page: number, size: number,
                         first?: string, last?: string): URLSearchParams {
  const next = new URLSearchParams(params);
  next.set('page', String(page));
  next.set('size', String(size));
  next.delete('after');
  next.delete('before');
  if (size === current.size && page === current.page + 1 && last) next.set('after', last);
  else if (size === current.size && page === current.page - 1 && page > 1 && first) next.set('before', first);
  return next;
}

// The URL after changing some filters: back to the first page, empty values dropped. Choosing
// online or "not seen for N days" drops the other (the server takes one of them).
export function withFilter(params: URLSearchParams, changes: Partial<Record<FilterKey, string | undefined>>) {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) {
    if (v) next.set(k, v);
    else next.delete(k);
  }
  if (changes.online) next.delete('not_seen_days');
  if (changes.not_seen_days) next.delete('online');
  next.delete('page');
  next.delete('after');
  next.delete('before');
  return next;
}
