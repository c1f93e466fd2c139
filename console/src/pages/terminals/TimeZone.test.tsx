// A terminal's page names its time zone and where it comes from, and each
// deployment's phase with the rollout it belongs to.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import i18n from '../../i18n';
import TerminalDetail from './TerminalDetail';
import type { TerminalView } from './types';
import { fakeServer, json } from '../rollouts/fixtures';

const view: TerminalView = {
  serial: 'T1', model: 'A920', installed_version: '1.0.0', group: '', merchant_id: 0, merchant: '', organisation: 1,
  created: '2026-11-24T08:00:00Z', last_seen: '2026-11-24T08:00:00Z', online: true, state: 'failed',
  slots: { reported: false, active: '', booted: '', a: { version: '' }, b: { version: '' } },
  progress: null, notifications: [], tickets: [], retired: null, retired_reason: '',
  time_zone: 'Asia/Urumqi', time_zone_source: 'merchant',
  deployments: [{ id: 5, release: '2.1.0', status: 'failed', result: 'failure', message: '', created: '2026-11-24T08:00:00Z',
                  updated: '2026-11-24T08:00:00Z', history: [], phase: 'timed_out', rollout_id: 7 }],
};

const show = () => render(
  <MemoryRouter initialEntries={['/terminals/T1']}>
    <Routes><Route path="/terminals/:serial" element={<TerminalDetail me={{ name: 'a', role: 'auditor' }} />} /></Routes>
  </MemoryRouter>,
);

describe('terminal page: time zone and phase', { timeout: 60000 }, () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await i18n.changeLanguage('zh-CN');
  });

  it('names the zone and its source, and the deployment phase, in both languages', async () => {
    fakeServer((c) => {
      if (c.url.includes('/certificates')) return json({ serial: 'T1', certificates: [] });
      if (c.url.includes('/policy?')) return json({ effective: { mode: 'auto', locked: false, lock_reason: '', revision: 1,
                                                                  window: { start: '22:00', end: '06:00', tz: 'Asia/Urumqi' } }, history: [] });
      return c.url.endsWith('/terminals/T1') ? json(view) : undefined;
    });
    const { unmount } = show();
    expect((await screen.findByTestId('detail-time-zone')).textContent).toBe('Asia/Urumqi（按商户所在地区）');
    expect(screen.getByTestId('deployment-phase-5').textContent).toBe('超时 · 灰度发布 #7');
    unmount();
    await i18n.changeLanguage('en');
    show();
    expect((await screen.findByTestId('detail-time-zone')).textContent).toBe("Asia/Urumqi (from its merchant's region)");
    expect(screen.getByTestId('deployment-phase-5').textContent).toBe('timed out · Rollout #7');
  });
});
