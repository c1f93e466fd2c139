// The terminal list's filters as they live in the URL (/terminals?model=A920&
// mode=never&page=2), the same names as the server's terminal filter
// (server/api/terminal_filter.h), so overview links and reloads just work.
export const FILTER_KEYS = ['q', 'model', 'version', 'group', 'mode', 'state', 'online', 'pending'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export const MODES = ['auto', 'manual', 'never'] as const;
export const STATES = ['idle', 'scheduled', 'running', 'success', 'failed', 'canceled'] as const;
export const PAGE_SIZES = [20, 50, 100];

export interface ListPosition {
  filter: Partial<Record<FilterKey, string>>;
  page: number; // from 1
  size: number;
}

export function readPosition(params: URLSearchParams): ListPosition {
  const filter: Partial<Record<FilterKey, string>> = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v) filter[k] = v;
  }
  const page = Math.max(1, Math.floor(Number(params.get('page')) || 1));
  const size = PAGE_SIZES.includes(Number(params.get('size'))) ? Number(params.get('size')) : PAGE_SIZES[0];
  return { filter, page, size };
}

// The API path for one page of the list.
export function listPath({ filter, page, size }: ListPosition): string {
  const q = new URLSearchParams(filter as Record<string, string>);
  q.set('offset', String((page - 1) * size));
  q.set('limit', String(size));
  return `/terminals?${q.toString()}`;
}

// The URL after changing some filters: back to the first page, empty values dropped.
export function withFilter(params: URLSearchParams, changes: Partial<Record<FilterKey, string | undefined>>) {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) {
    if (v) next.set(k, v);
    else next.delete(k);
  }
  next.delete('page');
  return next;
}
