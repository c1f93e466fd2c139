// The overview says in red which releases the kill switch stopped: version,
// reason, who and when (in the reader's time).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import i18n from '../../i18n';
import Overview from './Overview';
import { fakeServer, json, T0, readerInShanghai } from '../rollouts/fixtures';

readerInShanghai();

vi.mock('./OverviewCharts', () => ({ default: () => <div /> }));

const overview = {
  online: 1, offline: 1, online_window_seconds: 60, versions: [], outcomes: [], modes: { auto: 2, manual: 0, never: 0 },
  security: [], stopped_releases: [{ version: '2.1.0', reason: '支付应用闪退', by: 'rm', at: T0 }],
};

describe('overview: stopped releases', { timeout: 60000 }, () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await i18n.changeLanguage('zh-CN');
  });

  it('shows each stopped release in a red banner, in both languages', async () => {
    fakeServer((c) => (c.url.endsWith('/overview') ? json(overview) : undefined));
    const { unmount } = render(<MemoryRouter><Overview me={{ name: 'a', role: 'auditor' }} /></MemoryRouter>);
    const banner = await screen.findByTestId('stopped-2.1.0');
    expect(banner.className).toContain('ant-alert-error');
    expect(banner.textContent).toContain('版本 2.1.0 已紧急停止：支付应用闪退（rm，2026/11/24 16:00:00）');
    unmount();
    await i18n.changeLanguage('en');
    render(<MemoryRouter><Overview me={{ name: 'a', role: 'auditor' }} /></MemoryRouter>);
    expect((await screen.findByTestId('stopped-2.1.0')).textContent)
      .toContain('Release 2.1.0 was stopped everywhere: 支付应用闪退 (rm, 24/11/2026, 16:00:00)');
  });

  it('lets an administrator lift the stop, with a reason', async () => {
    const calls = fakeServer((c) => (c.url.endsWith('/overview') ? json(overview)
      : c.url.endsWith('/releases/2.1.0/stop') ? json({ release: '2.1.0', stopped: false }) : undefined));
    render(<MemoryRouter><Overview me={{ name: 'admin', role: 'admin' }} /></MemoryRouter>);
    fireEvent.click(await screen.findByTestId('lift-2.1.0'));
    fireEvent.change(await screen.findByTestId('lift-reason'), { target: { value: '修复版已验证' } });
    fireEvent.click(screen.getByTestId('lift-ok'));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE')).toBe(true));
    expect(calls.find((c) => c.method === 'DELETE')!.body).toEqual({ reason: '修复版已验证' });
  });

  it('offers lifting only to administrators', async () => {
    fakeServer((c) => (c.url.endsWith('/overview') ? json(overview) : undefined));
    render(<MemoryRouter><Overview me={{ name: 'rm', role: 'release_manager' }} /></MemoryRouter>);
    await screen.findByTestId('stopped-2.1.0');
    expect(screen.queryByTestId('lift-2.1.0')).toBeNull();
  });

  it('shows no banner when nothing is stopped', async () => {
    fakeServer((c) => (c.url.endsWith('/overview') ? json({ ...overview, stopped_releases: [] }) : undefined));
    render(<MemoryRouter><Overview me={{ name: 'a', role: 'auditor' }} /></MemoryRouter>);
    await screen.findByTestId('stat-total');
    expect(screen.queryByTestId('stopped-releases')).toBeNull();
  });
});
