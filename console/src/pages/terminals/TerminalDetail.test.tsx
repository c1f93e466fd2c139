// A terminal's page opened while its update is only scheduled follows the
// update by itself (no reload), and shows what the agent reports in the
// reader's words: its English line in Chinese, sizes in MB. Its parameters card
// shows each value's source and lock (a sensitive one only as set), the set's
// version, and whether the terminal applied it, at the reader's time. A locked terminal says so
// on its page; the lock buttons show only to the roles that may use them, and so do the remote
// actions' (collect logs, reboot), which a retired terminal no longer offers.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import i18n from '../../i18n';
import { readerInShanghai } from '../rollouts/fixtures';
import { MemoryRouter, Route, Routes } from 'react-router';
import TerminalDetail from './TerminalDetail';
import type { TerminalView } from './types';

const base: TerminalView = {
  serial: 'T1', model: 'A920', installed_version: '1.0.0', group: '', merchant_id: 0, merchant: '', organisation: 1,
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

const templates = { templates: [{ app: 'payment', name: '支付应用', revision: 2, created_by: 'admin', created: null, updated: null,
  fields: [{ key: 'timeout', type: 'integer', label: { 'zh-CN': '超时（秒）', en: 'Timeout (s)' }, sensitive: false },
           { key: 'tmk', type: 'string', label: { 'zh-CN': '主密钥', en: 'Master key' }, sensitive: true }] }] };
const eff = (key: string, more: Record<string, unknown>) => ({ key, sensitive: false, set: true, value: null, source: null,
                                                               locked_by: null, ...more });
const parameters = (inSync: boolean) => ({ serial: 'T1', apps: [{
  app: 'payment', version: '0123456789abcdef', applied_version: inSync ? '0123456789abcdef' : null,
  applied: inSync ? '2026-11-24T08:00:00Z' : null, in_sync: inSync,
  values: [eff('timeout', { value: 90, source: 'org:2', locked_by: 'org:2' }),
           eff('tmk', { sensitive: true, source: 'terminal' })] }] });
const organisations = { own: 1, organisations: [{ id: 1, parent: null, kind: 'acquirer', name: '', depth: 0 },
                                                { id: 2, parent: 1, kind: 'reseller', name: '华东代理', depth: 1 }] };

const never = { serial: 'T1', locked: false, state: null };

// Answers the requests the page makes besides the terminal itself (`view()`).
function server(view: () => unknown, inSync = true, lock: unknown = never, actions: unknown[] = []) {
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
    const url = String(input);
    if (url.endsWith('/T1/lock')) return json(lock);
    if (url.endsWith('/T1/actions')) return json({ serial: 'T1', actions });
    if (url.includes('/T1/health?')) return json({ serial: 'T1', last_seen: null, every_seconds: 900, history_seconds: 3600,
                                                   retention_days: 30, days: 7, latest: null, history: [] });
    if (url.includes('/certificates')) return json({ serial: 'T1', certificates: [] });
    if (url.includes('/policy?')) return json({ effective: { mode: 'auto', locked: false, lock_reason: '', revision: 1,
                                                                  window: { start: '22:00', end: '06:00', tz: 'Asia/Shanghai' } }, history: [] });
    if (url.endsWith('/parameters/templates')) return json(templates);
    if (url.endsWith('/T1/parameters')) return json(parameters(inSync));
    if (url.endsWith('/organisations')) return json(organisations);
    return json(view());
  });
}

const page = (role = 'admin') =>
  render(
    <MemoryRouter initialEntries={['/terminals/T1']}>
      <Routes>
        <Route path="/terminals/:serial" element={<TerminalDetail me={{ name: 'a', role }} />} />
      </Routes>
    </MemoryRouter>,
  );

describe('terminal page', () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await i18n.changeLanguage('zh-CN');
  });

  it('follows a scheduled update by itself, in Chinese', async () => {
    let views = 0;
    server(() => (++views === 1 ? base : downloading));
    page();
    await screen.findByTestId('detail-title');
    await waitFor(() => expect(screen.getByTestId('progress-line').textContent).toContain('已下载 40%'));
    expect(views).toBeGreaterThanOrEqual(2);
    expect(screen.getByTestId('progress').textContent).toContain('1.5 MB');
    expect(screen.getByTestId('progress-line').textContent).not.toContain('downloaded');
    expect(screen.getByTestId('health-none').textContent).toContain('每 15 分钟一次');
  }, 60000);

  it('shows its parameters with their sources and locks, and whether it applied them', async () => {
    readerInShanghai();
    server(() => base);
    const { unmount } = page();
    const card = await screen.findByTestId('param-app-payment');
    await waitFor(() => expect(card.textContent).toContain('超时（秒）'));
    expect(card.textContent).toContain('组织 华东代理');
    expect(card.textContent).toContain('由组织 华东代理锁定');
    expect(card.textContent).toContain('已设置');
    expect(card.textContent).toContain('终端本身');
    expect(card.textContent).toContain('参数版本 0123456789abcdef');
    expect(screen.getByTestId('param-applied-payment').textContent).toBe('已应用 0123456789abcdef（2026/11/24 16:00:00）');
    unmount();
    vi.restoreAllMocks();
    await i18n.changeLanguage('en');
    server(() => base, false);
    page();
    await waitFor(() => expect(screen.getByTestId('param-app-payment').textContent).toContain('Master key'));
    expect(screen.getByTestId('param-applied-payment').textContent).toBe('Waiting for the terminal to apply it');
  }, 60000);

  it('says a locked terminal is locked; the lock buttons only for the roles that may', async () => {
    readerInShanghai();
    const locked = { serial: 'T1', locked: true, state: 'locked', id: 3, reason: '商户报失', locked_by: 'amy',
                     locked_at: '2026-11-24T08:00:00Z', ended_at: null, ended_by: '', ended_how: '',
                     code_issued_at: null, code_issued_by: '' };
    server(() => base, true, locked);
    const { unmount } = page('support');
    await waitFor(() => expect(screen.getByTestId('lock-state').textContent).toBe('终端已锁定'));
    expect(screen.getByTestId('terminal-lock').textContent).toContain('商户报失');
    expect(screen.getByTestId('terminal-lock').textContent).toContain('amy，2026/11/24 16:00:00');
    expect(screen.getByTestId('lift-open').textContent).toBe('远程解锁');
    unmount();
    page('auditor');
    await waitFor(() => expect(screen.getByTestId('lock-state').textContent).toBe('终端已锁定'));
    expect(screen.queryByTestId('lift-open')).toBeNull();
    expect(screen.queryByTestId('lock-open')).toBeNull();
  }, 60000);

  it('lists the remote actions; their buttons only for the roles that may, and not on a retired terminal', async () => {
    readerInShanghai();
    const done = { id: 7, kind: 'logs', reason: '商户反映卡顿', requested_by: 'amy', requested_at: '2026-11-24T08:00:00Z',
                   state: 'done', done_at: '2026-11-24T08:05:00Z', detail: 'log bundle of 2048 bytes', bundle_size: 2048 };
    server(() => base, true, never, [done]);
    const { unmount } = page('release_manager');
    await waitFor(() => expect(screen.getByTestId('action-state-7').textContent).toBe('已完成'));
    expect(screen.getByTestId('terminal-actions').textContent).toContain('amy，2026/11/24 16:00:00');
    expect(screen.getByTestId('action-logs-open').textContent).toBe('收集日志');
    expect(screen.getByTestId('action-reboot-open').textContent).toBe('远程重启');
    expect(screen.getByTestId('action-download-7').textContent).toBe('下载');
    unmount();
    const auditor = page('auditor');
    await waitFor(() => expect(screen.getByTestId('action-state-7').textContent).toBe('已完成'));
    expect(screen.queryByTestId('action-logs-open')).toBeNull();
    expect(screen.queryByTestId('action-reboot-open')).toBeNull();
    expect(screen.queryByTestId('action-download-7')).toBeNull();
    auditor.unmount();
    vi.restoreAllMocks();
    server(() => ({ ...base, retired: '2026-11-25T01:00:00Z', retired_reason: '设备报废' }), true, never, [done]);
    page('support');
    await waitFor(() => expect(screen.getByTestId('action-state-7').textContent).toBe('已完成'));
    expect(screen.getByTestId('retired-note')).toBeTruthy();
    expect(screen.queryByTestId('action-logs-open')).toBeNull();
    expect(screen.queryByTestId('action-reboot-open')).toBeNull();
    expect(screen.getByTestId('action-download-7')).toBeTruthy();
  }, 60000);
});
