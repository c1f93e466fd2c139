// A terminal's page opened while its update is only scheduled follows the
// update by itself (no reload), and shows what the agent reports in the
// reader's words: its English line in Chinese, sizes in MB.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import TerminalDetail from './TerminalDetail';
import type { TerminalView } from './types';

const base: TerminalView = {
  serial: 'T1', model: 'A920', installed_version: '1.0.0', group: '', merchant_id: 0, merchant: '',
  created: '2026-11-24T08:00:00Z', last_seen: '2026-11-24T08:00:00Z', online: true, state: 'scheduled',
  slots: { reported: false, active: '', booted: '', a: { version: '' }, b: { version: '' } },
  progress: null, deployments: [], notifications: [], tickets: [], retired: null, retired_reason: '',
};
const downloading: TerminalView = {
  ...base,
  state: 'running',
  progress: { deployment: 1, release: '2.0.0', status: 'running', result: 'none', percent: 40, bytes: 600000,
              total: 1500000, line: 'downloaded 40%', time: '2026-11-24T08:00:05Z', active: true },
};

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });

describe('terminal page', () => {
  afterEach(() => vi.restoreAllMocks());

  it('follows a scheduled update by itself, in Chinese', async () => {
    let views = 0;
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const url = String(input);
      if (url.includes('/certificates')) return json({ serial: 'T1', certificates: [] });
      if (url.includes('/policy?')) return json({ effective: { mode: 'auto', locked: false, lock_reason: '', revision: 1,
                                                                    window: { start: '22:00', end: '06:00', tz: 'Asia/Shanghai' } }, history: [] });
      views++;
      return json(views === 1 ? base : downloading);
    });
    render(
      <MemoryRouter initialEntries={['/terminals/T1']}>
        <Routes>
          <Route path="/terminals/:serial" element={<TerminalDetail me={{ name: 'a', role: 'admin' }} />} />
        </Routes>
      </MemoryRouter>,
    );
    await screen.findByTestId('detail-title');
    await waitFor(() => expect(screen.getByTestId('progress-line').textContent).toContain('已下载 40%'));
    expect(views).toBeGreaterThanOrEqual(2);
    expect(screen.getByTestId('progress').textContent).toContain('1.5 MB');
    expect(screen.getByTestId('progress-line').textContent).not.toContain('downloaded');
  }, 60000);
});
