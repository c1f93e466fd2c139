// One rollout's page: per wave the terminals counted by state, the times in
// the reader's zone, the failed and timed-out terminals' last messages with a
// link to each terminal; every action asks for a reason before it is sent;
// approve is not offered to the creator and the server's two-person refusal
// is shown; the kill switch needs a reason and the version typed out.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import i18n from '../../i18n';
import RolloutDetail from './RolloutDetail';
import { Call, fakeServer, json, rollout, T0, readerInShanghai } from './fixtures';

readerInShanghai();

// The chart is drawn by ECharts on a canvas jsdom lacks; it has its own check.
vi.mock('./HistoryChart', () => ({ default: ({ samples }: { samples: unknown[] }) => <div data-testid="history-chart">{samples.length}</div> }));

const terminals = {
  terminals: [
    { serial: 'PF1', wave: 0, phase: 'success', phase_since: T0, message: 'installed 2.1.0 on slot B', deployment_id: 1 },
    { serial: 'PF2', wave: 0, phase: 'timed_out', phase_since: T0, message: 'downloaded 40%', deployment_id: 2 },
  ],
  total: 2,
};

function serve(extra: (c: Call) => Response | undefined = () => undefined) {
  return fakeServer((c) => {
    const got = extra(c);
    if (got) return got;
    const path = c.url.replace(/.*\/api\/v1/, '');
    if (path === '/rollouts/7') return json(rollout);
    if (path === '/rollouts/7/history') return json({ samples: [{ time: T0, wave: 0, counts: { success: 1 } }] });
    if (path.startsWith('/rollouts/7/terminals')) return json(terminals);
    if (c.method === 'POST' && path.startsWith('/rollouts/7/')) return json(rollout);
    return undefined;
  });
}

const show = (name = 'lead', role = 'release_manager') => render(
  <MemoryRouter initialEntries={['/rollouts/7']}>
    <Routes><Route path="/rollouts/:id" element={<RolloutDetail me={{ name, role }} />} /></Routes>
  </MemoryRouter>,
);

describe('a rollout', { timeout: 60000 }, () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await i18n.changeLanguage('zh-CN');
  });

  it('counts each wave by state, in local time, with the failed terminals\' messages (zh-CN)', async () => {
    serve();
    show();
    await screen.findByTestId('wave-card-0');
    expect(screen.getByTestId('rollout-state').textContent).toBe('待批准');
    expect(screen.getByTestId('wave-0-count-success').getAttribute('data-count')).toBe('9');
    expect(screen.getByTestId('wave-0-count-timed_out').textContent).toContain('超时');
    expect(screen.getByTestId('wave-1-count-scheduled').getAttribute('data-count')).toBe('90');
    expect(screen.getByTestId('wave-counts-0').textContent).toContain('等待维护时段');
    expect(screen.getByTestId('wave-counts-0').textContent).toContain('联系不上');
    // What the release's downloads sent against full downloads, and what delta patches saved.
    expect(screen.getByTestId('rollout-bytes').textContent).toBe('此版本已发送 3.0 MB，完整下载需 40.0 MB');
    expect(screen.getByTestId('rollout-bytes-saved').textContent).toBe('差分包节省 93%');
    expect(screen.getByTestId('rollout-start').textContent).toBe('2026/11/24 16:00:00');
    expect(screen.getByTestId('wave-card-0').textContent).toContain('观察到 2026/11/24 17:00:00');
    expect(screen.getByTestId('wave-card-0').textContent).toContain('成功率 ≥ 95%，失败率 > 2% 暂停，观察 60 分钟');
    expect(screen.getByTestId('wave-card-1').textContent).toContain('观察 60 分钟，开始前需批准');
    expect(screen.getByTestId('wave-state-1').textContent).toBe('待批准');
    expect((await screen.findByTestId('term-message-PF2')).textContent).toBe('已下载 40%');
    expect(screen.getByTestId('term-phase-PF2').textContent).toBe('超时');
    expect(screen.getByTestId('term-PF2').getAttribute('href')).toBe('/terminals/PF2');
    expect((await screen.findByTestId('history-chart')).textContent).toBe('1');
  });

  it('asks for a reason before pausing, then sends it', async () => {
    const calls = serve();
    show();
    fireEvent.click(await screen.findByTestId('action-pause'));
    await screen.findByTestId('prompt-pause');
    fireEvent.click(screen.getByTestId('prompt-pause-ok'));
    expect(await screen.findByText('每次更改都要填写原因')).toBeTruthy();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    fireEvent.change(screen.getByTestId('prompt-pause-reason'), { target: { value: '支付失败率上升' } });
    fireEvent.click(screen.getByTestId('prompt-pause-ok'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.url).toContain('/api/v1/rollouts/7/pause');
    expect(post.body).toEqual({ reason: '支付失败率上升' });
    expect((await screen.findByTestId('action-notice')).textContent).toContain('已完成：暂停');
  });

  it('does not offer approval to the creator', async () => {
    serve();
    show('rm');
    await screen.findByTestId('rollout-actions');
    expect(screen.queryByTestId('action-approve')).toBeNull();
    expect(screen.getByTestId('approve-not-mine').textContent).toContain('另一位同事');
  });

  it('shows the server\'s two-person refusal (English)', async () => {
    await i18n.changeLanguage('en');
    serve((c) => (c.url.endsWith('/approve')
      ? json({ error: { code: 'two_person_rule', message: 'someone other than rm approves' } }, 403) : undefined));
    show('lead');
    fireEvent.click(await screen.findByTestId('action-approve'));
    fireEvent.change(await screen.findByTestId('prompt-approve-reason'), { target: { value: 'wave 1 looks fine' } });
    fireEvent.click(screen.getByTestId('prompt-approve-ok'));
    expect((await screen.findByTestId('prompt-approve-error')).textContent)
      .toBe('The two-person rule: someone other than rm, who created it, approves');
  });

  it('stops the release everywhere only with a reason and the version typed', async () => {
    const calls = serve((c) => (c.url.endsWith('/releases/2.1.0/stop')
      ? json({ release: '2.1.0', rollouts_stopped: 2, deployments_canceled: 31 }) : undefined));
    show();
    const button = await screen.findByTestId('kill-switch');
    expect(button.textContent).toContain('紧急停止');
    fireEvent.click(button);
    const form = await screen.findByTestId('kill-form');
    fireEvent.change(within(form).getByTestId('kill-reason'), { target: { value: '支付应用闪退' } });
    fireEvent.change(within(form).getByTestId('kill-version'), { target: { value: '2.1' } });
    fireEvent.click(screen.getByTestId('kill-ok'));
    expect(await screen.findByText('输入的版本号不一致')).toBeTruthy();
    expect(calls.some((c) => c.url.includes('/stop'))).toBe(false);
    fireEvent.change(within(form).getByTestId('kill-version'), { target: { value: '2.1.0' } });
    fireEvent.click(screen.getByTestId('kill-ok'));
    expect((await screen.findByTestId('action-notice')).textContent).toContain('已停止 2 个灰度发布，取消 31 个部署');
    const stop = calls.find((c) => c.url.includes('/stop'))!;
    expect(stop.method).toBe('POST');
    expect(stop.body).toEqual({ reason: '支付应用闪退' });
  });

  it('shows no action to a role that only reads', async () => {
    serve();
    show('aud', 'auditor');
    await screen.findByTestId('wave-card-0');
    expect(screen.queryByTestId('rollout-actions')).toBeNull();
    expect(screen.queryByTestId('kill-switch')).toBeNull();
  });
});
