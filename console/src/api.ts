// The console's only way to the server: JSON over /api/v1 on the same origin,
// with the session cookie and, on every change, the session's CSRF token.
export class ApiError extends Error {
  // `details`: the error object as the server sent it (some carry more, e.g. tries_left).
  constructor(public status: number, public code: string, message: string, public details: Record<string, unknown> = {}) {
    super(message);
  }
}

let csrf = '';
export function setCsrf(token: string) {
  csrf = token;
}

let sessionLost: () => void = () => undefined;
// Called when the server answers 401 to a request of a logged-in console.
export function onSessionLost(f: () => void) {
  sessionLost = f;
}

// A support step after the identity check (the unlock code) answers 401 when the check has
// lapsed, not the session: the session is asked before anyone is logged out.
async function confirmSession() {
  const res = await fetch('/api/v1/session', { credentials: 'same-origin' }).catch(() => null);
  if (res?.status === 401) sessionLost();
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (res.status === 401 && path !== '/session') {
    if (path.startsWith('/support/verifications/')) void confirmSession();
    else sessionLost();
  }
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? 'error', data?.error?.message ?? res.statusText, data?.error ?? {});
  return data as T;
}

async function refusal(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let data: { error?: { code?: string; message?: string } } | null = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  return new ApiError(res.status, data?.error?.code ?? 'error', data?.error?.message ?? res.statusText, data?.error ?? {});
}

// A file the server sends (a GET download such as a terminal's log bundle), with the session;
// a refusal throws as api() does.
export async function apiBlob(path: string): Promise<Blob> {
  const res = await fetch(`/api/v1${path}`, { credentials: 'same-origin' });
  if (res.status === 401) sessionLost();
  if (!res.ok) throw await refusal(res);
  return res.blob();
}

// A text download read as it arrives (an export in JSON Lines), `onLines(n)` with the lines
// read so far; a refusal throws as api() does.
export async function apiLines(path: string, onLines: (n: number) => void): Promise<string> {
  const res = await fetch(`/api/v1${path}`, { credentials: 'same-origin' });
  if (res.status === 401) sessionLost();
  if (!res.ok) throw await refusal(res);
  if (!res.body) return res.text();
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let lines = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const chunk = decoder.decode(value, { stream: true });
    for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) lines++;
    text += chunk;
    onLines(lines);
  }
  return text + decoder.decode();
}

export interface Me {
  name: string;
  role: string;
  csrf?: string;
  totp?: boolean; // two-step verification is set up
  totp_enrol_required?: boolean; // an administrator must set it up before anything else
  token?: boolean; // an API token, not a person
  // false for a user of a reseller or merchant organisation: it sees its own subtree only, and
  // only the pages that keep to one (the others answer it 403).
  whole_tree?: boolean;
  organisation?: { id: number; kind: string; name: string };
}

export interface Terminal {
  serial: string;
  model: string;
  installed_version: string;
  group: string;
  last_seen: string | null;
}
