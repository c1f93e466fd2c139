// A terminal's health card: the latest report with its units (percent, MB and GB, days and
// hours) and its times in the reader's zone, in Chinese and English; the fleet's conditions as
// tags; "no report yet" with how often posfleet's agent sends one; the day choices within the
// server's retention, 30 days asked of the server; and the history handed to the chart, which
// loads on its own (mocked here: ECharts draws on a canvas jsdom lacks).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from '../../i18n';
import { fakeServer, json, readerInShanghai } from '../rollouts/fixtures';
import HealthCard, { dayChoices, formatStorage } from './HealthCard';
import type * as Chart from './HealthChart';
import type { TerminalHealth } from './types';

vi.mock('./HealthChart', () => ({
  default: ({ history }: { history: unknown[] }) => <div data-testid="health-chart" data-samples={history.length} />,
}));

readerInShanghai();

const GiB = 2 ** 30;
const sick: TerminalHealth = {
  serial: 'T1', last_seen: '2026-11-24T08:05:00Z', every_seconds: 900, history_seconds: 3600, retention_days: 30, days: 7,
  latest: {
    time: '2026-11-24T08:05:00Z', battery: 9, charging: false, storage_free: 200 * 2 ** 20, storage_total: 8 * GiB,
    network: 'cellular', signal: 12, uptime: 3 * 86400 + 4 * 3600 + 120, last_sale: '2026-11-24T07:30:00Z',
    apps: { payment: '3.2.1', release: '1.0.0' }, low_storage: true, weak_signal: true, low_battery: true,
  },
  history: [
    { time: '2026-11-24T06:00:00Z', battery: 40, charging: false, storage_free: GiB, storage_total: 8 * GiB, network: 'wifi', signal: 80 },
    { time: '2026-11-24T07:00:00Z', battery: 20 },
    { time: '2026-11-24T08:05:00Z', battery: 9, network: 'cellular', signal: 12, storage_free: 200 * 2 ** 20 },
  ],
};
const well: TerminalHealth = {
  ...sick,
  latest: { time: '2026-11-24T08:05:00Z', battery: 64, charging: true, storage_free: 3 * GiB, storage_total: 8 * GiB,
            network: 'wifi', signal: 90, uptime: 5400, apps: {}, low_storage: false, weak_signal: false, low_battery: false },
  history: [],
};

function serve(body: (days: string | null) => TerminalHealth) {
  return fakeServer((c) => {
    const u = new URL(c.url, 'http://x');
    return u.pathname === '/api/v1/terminals/T1/health' ? json(body(u.searchParams.get('days'))) : undefined;
  });
}

describe('health card', { timeout: 60000 }, () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await i18n.changeLanguage('zh-CN');
  });

  it('shows the latest report with units and local times, in Chinese and English', async () => {
    const calls = serve(() => sick);
    const { unmount } = render(<HealthCard serial="T1" />);
    await waitFor(() => expect(screen.getByTestId('health-battery').textContent).toBe('9%'));
    expect(calls[0].url).toBe('/api/v1/terminals/T1/health?days=7');
    const card = screen.getByTestId('terminal-health');
    expect(card.textContent).toContain('未接电源');
    expect(screen.getByTestId('health-storage').textContent).toBe('可用 200 MB，共 8.0 GB（2%）');
    expect(screen.getByTestId('health-network').textContent).toBe('移动网络，信号 12%');
    expect(screen.getByTestId('health-uptime').textContent).toBe('3 天 4 小时');
    expect(screen.getByTestId('health-last-sale').textContent).toBe('2026/11/24 15:30:00');
    expect(screen.getByTestId('health-time').textContent).toBe('2026/11/24 16:05:00');
    expect(screen.getByTestId('health-apps').textContent).toBe('payment 3.2.1release 1.0.0');
    expect(card.textContent).toContain('每 30 秒刷新');
    unmount();

    await i18n.changeLanguage('en');
    render(<HealthCard serial="T1" />);
    await waitFor(() => expect(screen.getByTestId('health-battery').textContent).toBe('9%'));
    expect(screen.getByTestId('terminal-health').textContent).toContain('on battery');
    expect(screen.getByTestId('health-storage').textContent).toBe('200 MB free of 8.0 GB (2%)');
    expect(screen.getByTestId('health-network').textContent).toBe('Cellular, signal 12%');
    expect(screen.getByTestId('health-uptime').textContent).toBe('3 d 4 h');
    expect(screen.getByTestId('health-last-sale').textContent).toBe('24/11/2026, 15:30:00');
    expect(screen.getByTestId('health-time').textContent).toBe('24/11/2026, 16:05:00');
    expect(screen.getByTestId('health-low_battery').textContent).toBe('Low battery');
  });

  it('tags the conditions that are set, red and orange, and none for a healthy terminal', async () => {
    serve(() => sick);
    const { unmount } = render(<HealthCard serial="T1" />);
    await waitFor(() => expect(screen.getByTestId('health-conditions').getAttribute('data-conditions'))
      .toBe('low_battery low_storage weak_signal'));
    expect(screen.getByTestId('health-low_battery').textContent).toBe('电量低');
    expect(screen.getByTestId('health-low_battery').className).toContain('red');
    expect(screen.getByTestId('health-low_storage').textContent).toBe('存储空间不足');
    expect(screen.getByTestId('health-weak_signal').textContent).toBe('信号弱');
    expect(screen.getByTestId('health-weak_signal').className).toContain('orange');
    unmount();
    vi.restoreAllMocks();

    serve(() => well);
    render(<HealthCard serial="T1" />);
    await waitFor(() => expect(screen.getByTestId('health-battery').textContent).toBe('64%'));
    expect(screen.getByTestId('health-conditions').getAttribute('data-conditions')).toBe('');
    expect(screen.getByTestId('health-conditions').textContent).toBe('无异常');
    expect(screen.getByTestId('terminal-health').textContent).toContain('充电中');
    expect(screen.getByTestId('health-storage').textContent).toBe('可用 3.0 GB，共 8.0 GB（38%）');
    expect(screen.getByTestId('health-network').textContent).toBe('Wi-Fi，信号 90%');
    expect(screen.getByTestId('health-uptime').textContent).toBe('1 小时');
    expect(screen.getByTestId('health-last-sale').textContent).toBe('无记录');
    expect(screen.getByTestId('health-apps').textContent).toBe('未读到');
    expect(screen.queryByTestId('health-chart')).toBeNull();
  });

  it('says no report came yet, and how often posfleet\'s agent sends one', async () => {
    serve(() => ({ ...sick, latest: null, history: [] }));
    const { unmount } = render(<HealthCard serial="T1" />);
    await waitFor(() => expect(screen.getByTestId('health-none').textContent).toContain('每 15 分钟一次'));
    expect(screen.getByTestId('health-none').textContent).toContain('还没有上报健康状况');
    expect(screen.queryByTestId('health-conditions')).toBeNull();
    unmount();
    await i18n.changeLanguage('en');
    render(<HealthCard serial="T1" />);
    await waitFor(() => expect(screen.getByTestId('health-none').textContent).toContain('every 15 min'));
  });

  it('offers the days the server keeps, and asks for 30 days when chosen', async () => {
    const calls = serve((days) => ({ ...sick, days: Number(days) }));
    render(<HealthCard serial="T1" />);
    await screen.findByTestId('health-days-30');
    fireEvent.click(screen.getByTestId('health-days-30'));
    await waitFor(() => expect(calls.map((c) => c.url)).toContain('/api/v1/terminals/T1/health?days=30'));
    expect(dayChoices(30)).toEqual([1, 7, 30]);
    expect(dayChoices(14)).toEqual([1, 7, 14]);
    expect(dayChoices(3)).toEqual([1, 3]);
  });

  it('hands the history to the chart, oldest first, a gap where a field was not read', async () => {
    serve(() => sick);
    render(<HealthCard serial="T1" />);
    const chart = await screen.findByTestId('health-chart');
    expect(chart.getAttribute('data-samples')).toBe('3');
    expect(screen.getByTestId('health-history-note').textContent).toContain('3 条记录');
    const { healthSeries } = await vi.importActual<typeof Chart>('./HealthChart');
    const s = healthSeries([...sick.history].reverse());
    const t0 = Date.UTC(2026, 10, 24, 6, 0, 0);
    expect(s.battery).toEqual([[t0, 40], [t0 + 3600e3, 20], [t0 + 7500e3, 9]]);
    expect(s.signal).toEqual([[t0, 80], [t0 + 3600e3, null], [t0 + 7500e3, 12]]);
    expect(s.storage).toEqual([[t0, 1], [t0 + 3600e3, null], [t0 + 7500e3, 0.2]]);
    expect(s.totalGb).toBe(8);
    expect(formatStorage(3 * GiB)).toBe('3.0 GB');
    expect(formatStorage(256 * 2 ** 20)).toBe('256 MB');
  });
});
