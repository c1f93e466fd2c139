// A terminal's remote actions on its page: what was asked, by whom and when in the reader's time,
// and how it ended, in words; collecting logs and rebooting ask for a reason and say what the
// terminal will do before anything is sent, and the new action then waits for the terminal; a
// done logs action offers its bundle, downloaded with the session. Only the roles that may
// (access.ts 'control') see the buttons and the download.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from '../../i18n';
import { can } from '../../access';
import { readerInShanghai } from '../rollouts/fixtures';
import ActionsCard from './ActionsCard';
import type { ActionView } from './types';

const pendingLogs: ActionView = {
  id: 7, kind: 'logs', reason: '商户反映卡顿', requested_by: 'amy', requested_at: '2026-11-24T08:00:00Z', state: 'pending',
  done_at: null, detail: '', bundle_size: 0,
};
const doneLogs: ActionView = { ...pendingLogs, state: 'done', done_at: '2026-11-24T08:05:00Z', detail: 'log bundle of 12345 bytes',
                               bundle_size: 12345 };
const rebooted: ActionView = {
  id: 5, kind: 'reboot', reason: '终端无响应', requested_by: 'bob', requested_at: '2026-11-23T02:00:00Z', state: 'done',
  done_at: '2026-11-23T02:01:00Z', detail: 'restarting', bundle_size: 0,
};
const failed: ActionView = { ...rebooted, id: 4, kind: 'logs', state: 'failed', detail: 'this agent does not know that action' };

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
const list = (actions: ActionView[]) => ({ serial: 'T1', actions });

// The actions route: GET answers `now()`; a POST answers `post(body)`; the bundle answers its text.
function server(now: () => ActionView[], post: (body: unknown) => Response = () => json(pendingLogs, 201)) {
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = String(input);
    if (init?.method === 'POST') return post(JSON.parse(String(init.body)));
    if (url.endsWith('/bundle'))
      return new Response('posfleet log bundle: terminal T1\n[card]\n', { status: 200, headers: { 'Content-Type': 'text/plain' } });
    return json(list(now()));
  });
}

const posts = (spy: ReturnType<typeof server>) =>
  spy.mock.calls.filter(([, init]) => init?.method === 'POST').map(([url, init]) => [String(url), JSON.parse(String(init?.body))]);

describe('remote actions card', () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    delete (URL as unknown as { createObjectURL?: unknown }).createObjectURL;
    delete (URL as unknown as { revokeObjectURL?: unknown }).revokeObjectURL;
    await i18n.changeLanguage('zh-CN');
  });

  it('shows an auditor what was asked and how it ended, without the buttons or the download', async () => {
    readerInShanghai();
    server(() => [doneLogs, rebooted, failed]);
    render(<ActionsCard serial="T1" canRequest={can('auditor', 'control')} canDownload={can('auditor', 'control')} />);
    await waitFor(() => expect(screen.getByTestId('action-state-7').textContent).toBe('已完成'));
    const card = screen.getByTestId('terminal-actions').textContent;
    expect(card).toContain('远程操作');
    expect(card).toContain('收集日志');
    expect(card).toContain('远程重启');
    expect(card).toContain('amy，2026/11/24 16:00:00');
    expect(card).toContain('2026/11/24 16:05:00');
    expect(screen.getByTestId('action-detail-7').textContent).toBe('日志包 12.3 KB');
    expect(screen.getByTestId('action-detail-5').textContent).toBe('终端已收到，正在重启');
    expect(screen.getByTestId('action-state-4').textContent).toBe('失败');
    expect(screen.getByTestId('action-detail-4').textContent).toBe('终端程序版本过旧，不支持这项操作');
    expect(screen.getByTestId('action-detail-4').getAttribute('title')).toBe('this agent does not know that action');
    expect(screen.queryByTestId('action-logs-open')).toBeNull();
    expect(screen.queryByTestId('action-reboot-open')).toBeNull();
    expect(screen.queryByTestId('action-download-7')).toBeNull();
    expect(screen.queryByTestId('actions-waiting')).toBeNull();
  }, 60000);

  it('offers a retired terminal\'s bundles, not the buttons, and says why a download failed', async () => {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => (String(input).endsWith('/bundle')
      ? json({ error: { code: 'not_found', message: 'no log bundle for action 7' } }, 404)
      : json(list([doneLogs]))));
    render(<ActionsCard serial="T1" canRequest={false} canDownload />);
    fireEvent.click(await screen.findByTestId('action-download-7'));
    expect((await screen.findByTestId('action-download-error')).textContent).toContain('找不到该记录');
    expect(screen.queryByTestId('action-logs-open')).toBeNull();
    expect(screen.queryByTestId('action-reboot-open')).toBeNull();
  }, 60000);

  it('asks for logs with a required reason, saying what the terminal does, then shows the action waiting', async () => {
    let now: ActionView[] = [rebooted];
    const spy = server(() => now, () => {
      now = [pendingLogs, rebooted];
      return json(pendingLogs, 201);
    });
    render(<ActionsCard serial="T1" canRequest canDownload />);
    await waitFor(() => expect(screen.getByTestId('action-state-5').textContent).toBe('已完成'));
    expect(screen.getByTestId('action-logs-open').textContent).toBe('收集日志');
    expect(screen.getByTestId('action-reboot-open').textContent).toBe('远程重启');
    fireEvent.click(screen.getByTestId('action-logs-open'));
    const note = (await screen.findByTestId('action-logs-note')).textContent;
    expect(note).toContain('下次联网时');
    expect(note).toContain('状态');
    expect(note).toContain('日志');
    expect(note).toContain('银行卡号');
    expect(note).toContain('身份证号');
    expect(note).toContain('256 KB');
    fireEvent.click(screen.getByTestId('action-logs-ok'));
    expect(await screen.findByText('请填写原因')).toBeTruthy();
    fireEvent.change(screen.getByTestId('action-logs-reason'), { target: { value: '   ' } });
    fireEvent.click(screen.getByTestId('action-logs-ok'));
    expect(await screen.findByText('请填写原因')).toBeTruthy();
    expect(posts(spy)).toEqual([]);
    fireEvent.change(screen.getByTestId('action-logs-reason'), { target: { value: ' 商户反映卡顿 ' } });
    fireEvent.click(screen.getByTestId('action-logs-ok'));
    await waitFor(() => expect(screen.getByTestId('action-state-7').textContent).toBe('等待终端'));
    expect(screen.getByTestId('action-state-7').getAttribute('data-state')).toBe('pending');
    expect(posts(spy)).toEqual([['/api/v1/terminals/T1/actions', { kind: 'logs', reason: '商户反映卡顿' }]]);
    expect(screen.getByTestId('actions-waiting').textContent).toContain('每 5 秒刷新');
    expect(screen.queryByTestId('action-download-7')).toBeNull();
  }, 60000);

  it('asks for a reboot, in English, and says so when 10 actions are waiting', async () => {
    await i18n.changeLanguage('en');
    let full = false;
    const spy = server(() => [], () => (full
      ? json({ error: { code: 'too_many_requests', message: 'terminal T1 has 10 actions waiting; wait for it to poll' } }, 429)
      : json({ ...pendingLogs, id: 8, kind: 'reboot' }, 201)));
    render(<ActionsCard serial="T1" canRequest canDownload />);
    expect((await screen.findByTestId('terminal-actions')).textContent).toContain('No remote action was asked of this terminal yet');
    fireEvent.click(await screen.findByTestId('action-reboot-open'));
    const note = (await screen.findByTestId('action-reboot-note')).textContent;
    expect(note).toContain('restarts at its next connection');
    expect(note).toContain('An update in progress continues afterwards, or returns to the previous version');
    fireEvent.change(screen.getByTestId('action-reboot-reason'), { target: { value: 'frozen' } });
    fireEvent.click(screen.getByTestId('action-reboot-ok'));
    await waitFor(() => expect(posts(spy)).toEqual([['/api/v1/terminals/T1/actions', { kind: 'reboot', reason: 'frozen' }]]));
    full = true;
    fireEvent.click(screen.getByTestId('action-reboot-open'));
    fireEvent.change(await screen.findByTestId('action-reboot-reason'), { target: { value: 'still frozen' } });
    fireEvent.click(screen.getByTestId('action-reboot-ok'));
    expect((await screen.findByTestId('action-reboot-error')).textContent)
      .toBe('10 actions are already waiting for this terminal to connect; ask again once it has picked them up');
  }, 60000);

  it('follows a waiting logs action until it is done, then downloads its bundle with the session', async () => {
    readerInShanghai();
    await i18n.changeLanguage('en');
    let now = [pendingLogs];
    const spy = server(() => now);
    const made: Blob[] = [];
    Object.assign(URL, {
      createObjectURL: vi.fn((b: Blob) => { made.push(b); return 'blob:bundle'; }),
      revokeObjectURL: vi.fn(),
    });
    const saved: { href: string; name: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ href: this.href, name: this.download });
    });
    render(<ActionsCard serial="T1" canRequest canDownload />);
    await waitFor(() => expect(screen.getByTestId('action-state-7').textContent).toBe('Waiting for the terminal'));
    expect(screen.queryByTestId('action-download-7')).toBeNull();
    const reads = () => spy.mock.calls.filter(([url, init]) => String(url).endsWith('/T1/actions') && init?.method === 'GET').length;
    expect(reads()).toBe(1);
    // The terminal polls and uploads its bundle: the card follows by itself, at its next read 5 s on.
    now = [doneLogs];
    await waitFor(() => expect(screen.getByTestId('action-state-7').textContent).toBe('Done'));
    expect(reads()).toBe(2);
    expect(screen.getByTestId('action-detail-7').textContent).toBe('Log bundle, 12.3 KB');
    expect(screen.getByTestId('terminal-actions').textContent).toContain('amy, 24/11/2026, 16:00:00');
    expect(screen.queryByTestId('actions-waiting')).toBeNull();
    fireEvent.click(screen.getByTestId('action-download-7'));
    await waitFor(() => expect(saved).toEqual([{ href: 'blob:bundle', name: 'logs-T1-7.txt' }]));
    const get = spy.mock.calls.find(([url]) => String(url).endsWith('/bundle'));
    expect(String(get?.[0])).toBe('/api/v1/terminals/T1/actions/7/bundle');
    expect(get?.[1]?.credentials).toBe('same-origin');
    expect(await made[0].text()).toContain('[card]');
    // Nothing waits any more: the card stops reading.
    await new Promise((r) => setTimeout(r, 5500));
    expect(reads()).toBe(2);
  }, 60000);

  it('lets administrators, release managers and support ask, not auditors', () => {
    expect(['admin', 'release_manager', 'support', 'auditor'].map((r) => can(r, 'control'))).toEqual([true, true, true, false]);
  });
});
