// Test data and a fake server for the rollouts page's tests.
import { vi } from 'vitest';
import type { Rollout, RolloutRow } from './types';

// 2026-11-24 08:00:00 UTC = 16:00 in Shanghai.
export const T0 = Date.UTC(2026, 10, 24, 8, 0, 0) / 1000;

const counts = (c: Record<string, number>) => ({
  scheduled: 0, waiting_window: 0, downloading: 0, installing: 0, success: 0, failed: 0, rolled_back: 0, timed_out: 0,
  declined: 0, canceled: 0, unreachable: 0, ...c,
});

export const row: RolloutRow = {
  id: 7, name: '试点门店', release: '2.1.0', target: { group: 'north' }, created_by: 'rm', created: T0 - 60, start_at: null,
  started: T0, state: 'waiting_approval', state_reason: 'wave 1 succeeded; waiting for approval', current_wave: 1, waves: 3,
  progress: { total: 100, success: 9, failed: 1 },
};

export const rollout: Rollout = {
  ...row,
  release_bytes: { sent: 3_000_000, full: 40_000_000 },
  waves: [
    { index: 0, spec: { percent: 1, success_threshold: 95, error_threshold: 2, soak_seconds: 3600, needs_approval: false },
      state: 'done', terminals: 10, started: T0, soak_until: T0 + 3600, approved_by: null, approved_at: null,
      counts: counts({ success: 9, timed_out: 1 }) },
    { index: 1, spec: { percent: 10, success_threshold: 95, error_threshold: 2, soak_seconds: 3600, needs_approval: true },
      state: 'waiting_approval', terminals: 90, started: null, soak_until: null, approved_by: null, approved_at: null,
      counts: counts({ scheduled: 90 }) },
    { index: 2, spec: { percent: 100, success_threshold: 95, error_threshold: 2, soak_seconds: 0, needs_approval: false },
      state: 'pending', terminals: 0, started: null, soak_until: null, approved_by: null, approved_at: null, counts: counts({}) },
  ],
};

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

export interface Call {
  method: string;
  url: string;
  body: unknown;
}

// Answers by path; every request is recorded in `calls`.
export function fakeServer(routes: (c: Call) => Response | undefined) {
  const calls: Call[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const c = { method: init?.method ?? 'GET', url: String(input), body: init?.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(c);
    return routes(c) ?? json({ error: { code: 'not_found', message: 'no such path' } }, 404);
  });
  return calls;
}

// The reader sits in Shanghai (UTC+8), whatever the machine's zone, so times
// read in local time are told apart from UTC. Node reads TZ on each change.
export function readerInShanghai() {
  (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env.TZ = 'Asia/Shanghai';
}
