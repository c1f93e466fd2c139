// A terminal's remote lock on its page: a lock in force says why, who locked it and when in the
// reader's time, and whether support has read the code out; locking and lifting ask for a reason
// before anything is sent, and the card then shows the new state; how the last lock ended stays
// on the card. Only the roles that may (access.ts 'control') see the buttons.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from '../../i18n';
import { can } from '../../access';
import { readerInShanghai } from '../rollouts/fixtures';
import LockCard from './LockCard';
import type { LockView } from './types';

const never: LockView = { serial: 'T1', locked: false, state: null };
const locked: LockView = {
  serial: 'T1', locked: true, state: 'locked', id: 4, reason: '商户报失', locked_by: 'admin',
  locked_at: '2026-11-24T08:00:00Z', ended_at: null, ended_by: '', ended_how: '', code_issued_at: null, code_issued_by: '',
};
const released: LockView = { ...locked, locked: false, state: 'released', ended_at: '2026-11-24T09:00:00Z',
                             ended_by: 'bob', ended_how: 'remote' };

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });

// The lock route: GET answers `now()`; a POST answers `post(url, body)`.
function server(now: () => LockView, post: (url: string, body: unknown) => Response = () => json(now(), 201)) {
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    if (init?.method === 'POST') return post(String(input), JSON.parse(String(init.body)));
    return json(now());
  });
}

const posts = (spy: ReturnType<typeof server>) =>
  spy.mock.calls.filter(([, init]) => init?.method === 'POST').map(([url, init]) => [String(url), JSON.parse(String(init?.body))]);

describe('remote lock card', () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await i18n.changeLanguage('zh-CN');
  });

  it('shows a lock in force: why, who, when in the reader\'s time, and whether support read the code out', async () => {
    readerInShanghai();
    server(() => locked);
    const { unmount } = render(<LockCard serial="T1" canControl />);
    await waitFor(() => expect(screen.getByTestId('lock-state').textContent).toBe('终端已锁定'));
    expect(screen.getByTestId('lock-state').getAttribute('data-state')).toBe('locked');
    expect(screen.getByTestId('lock-shown-reason').textContent).toBe('商户报失');
    const card = screen.getByTestId('terminal-lock').textContent;
    expect(card).toContain('admin，2026/11/24 16:00:00');
    expect(screen.getByTestId('lock-code').textContent).toContain('客服尚未提供');
    expect(screen.getByTestId('lock-note').textContent).toContain('即使离线也拒绝收款');
    expect(screen.getByTestId('lift-open').textContent).toBe('远程解锁');
    expect(screen.queryByTestId('lock-open')).toBeNull();
    unmount();
    vi.restoreAllMocks();
    await i18n.changeLanguage('en');
    server(() => ({ ...locked, code_issued_at: '2026-11-24T08:30:00Z', code_issued_by: 'amy' }));
    render(<LockCard serial="T1" canControl />);
    await waitFor(() => expect(screen.getByTestId('lock-state').textContent).toBe('Terminal locked'));
    expect(screen.getByTestId('lock-code').textContent).toBe('Read to the merchant by amy on 24/11/2026, 16:30:00');
    expect(screen.getByTestId('lift-open').textContent).toBe('Lift lock remotely');
  }, 60000);

  it('locks with a required reason, explaining what the terminal does, then shows the lock', async () => {
    let now = never;
    const spy = server(() => now, () => {
      now = locked;
      return json(locked, 201);
    });
    render(<LockCard serial="T1" canControl />);
    await waitFor(() => expect(screen.getByTestId('lock-state').textContent).toBe('未锁定'));
    expect(screen.getByTestId('terminal-lock').textContent).toContain('这台终端从未被锁定');
    fireEvent.click(screen.getByTestId('lock-open'));
    const warning = (await screen.findByTestId('lock-warning')).textContent;
    expect(warning).toContain('拒绝收款');
    expect(warning).toContain('终端已锁定');
    expect(warning).toContain('客服电话');
    expect(warning).toContain('核实商户身份');
    expect(warning).toContain('即使离线');
    fireEvent.click(screen.getByTestId('lock-ok'));
    expect(await screen.findByText('请填写原因')).toBeTruthy();
    fireEvent.change(screen.getByTestId('lock-reason'), { target: { value: '   ' } });
    fireEvent.click(screen.getByTestId('lock-ok'));
    expect(await screen.findByText('请填写原因')).toBeTruthy();
    expect(posts(spy)).toEqual([]);
    fireEvent.change(screen.getByTestId('lock-reason'), { target: { value: ' 商户报失 ' } });
    fireEvent.click(screen.getByTestId('lock-ok'));
    await waitFor(() => expect(screen.getByTestId('lock-state').textContent).toBe('终端已锁定'));
    expect(posts(spy)).toEqual([['/api/v1/terminals/T1/lock', { reason: '商户报失' }]]);
  }, 60000);

  it('says so when someone else locked it first', async () => {
    let now = never;
    server(() => now, () => {
      now = locked;
      return json({ error: { code: 'conflict', message: 'terminal T1 is locked already' } }, 409);
    });
    render(<LockCard serial="T1" canControl />);
    fireEvent.click(await screen.findByTestId('lock-open'));
    fireEvent.change(screen.getByTestId('lock-reason'), { target: { value: '被盗' } });
    fireEvent.click(screen.getByTestId('lock-ok'));
    expect((await screen.findByTestId('lock-error')).textContent).toContain('这台终端已经被锁定');
    fireEvent.click(screen.getByTestId('lock-cancel'));
    await waitFor(() => expect(screen.getByTestId('lock-state').textContent).toBe('终端已锁定'));
  }, 60000);

  it('lifts a lock remotely with a reason, then waits for the terminal', async () => {
    readerInShanghai();
    let now = locked;
    const spy = server(() => now, () => {
      now = released;
      return json(released);
    });
    render(<LockCard serial="T1" canControl />);
    fireEvent.click(await screen.findByTestId('lift-open'));
    expect((await screen.findByTestId('lift-warning')).textContent).toContain('下次联网时解锁');
    fireEvent.click(screen.getByTestId('lift-ok'));
    expect(await screen.findByText('请填写原因')).toBeTruthy();
    expect(posts(spy)).toEqual([]);
    fireEvent.change(screen.getByTestId('lift-reason'), { target: { value: '商户已找回' } });
    fireEvent.click(screen.getByTestId('lift-ok'));
    await waitFor(() => expect(screen.getByTestId('lock-state').textContent).toBe('已远程解锁，等待终端联网'));
    expect(posts(spy)).toEqual([['/api/v1/terminals/T1/lock/release', { reason: '商户已找回' }]]);
    expect(screen.getByTestId('lock-note').textContent).toBe('bob 已于 2026/11/24 17:00:00 远程解锁；终端下次联网时解锁并恢复收款。');
    expect(screen.queryByTestId('lift-open')).toBeNull();
    expect(screen.queryByTestId('lock-open')).toBeNull();
    // The terminal polls and says it unlocked: the card follows by itself.
    now = { ...released, state: 'unlocked' };
    await waitFor(() => expect(screen.getByTestId('lock-state').textContent).toBe('未锁定'));
    expect(screen.getByTestId('lock-history').textContent).toBe('上次锁定（商户报失）已由 bob 于 2026/11/24 17:00:00 远程解除');
    expect(screen.getByTestId('lock-open')).toBeTruthy();
  }, 60000);

  it('says how the last lock ended, in English', async () => {
    readerInShanghai();
    await i18n.changeLanguage('en');
    server(() => ({ ...locked, locked: false, state: 'unlocked', ended_at: '2026-11-25T01:00:00Z', ended_by: 'T1',
                    ended_how: 'code' }));
    render(<LockCard serial="T1" canControl={false} />);
    await waitFor(() => expect(screen.getByTestId('lock-state').textContent).toBe('Not locked'));
    expect(screen.getByTestId('lock-history').textContent)
      .toBe('The last lock (商户报失) ended on 25/11/2026, 09:00:00: the merchant typed the unlock code on the terminal');
    expect(screen.queryByTestId('lock-open')).toBeNull();
  }, 60000);

  it('lets administrators, release managers and support lock, not auditors', () => {
    expect(['admin', 'release_manager', 'support', 'auditor'].map((r) => can(r, 'control'))).toEqual([true, true, true, false]);
  });
});
