// The freeze calendar: freezes listed by date with their scope and the
// security rule in words; administrators add (the form refuses an end before
// the start) and remove with a reason; other roles only read.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from '../../i18n';
import Freezes from './Freezes';
import { fakeServer, json } from '../rollouts/fixtures';

const freezes = [
  { id: 2, scope: 'group', group: 'north', from: '2027-01-28', to: '2027-02-04', reason: '春节', security: 'after_deadline',
    created_by: 'admin', created: 1 },
  { id: 1, scope: 'fleet', group: '', from: '2026-11-10', to: '2026-11-12', reason: '双十一', security: 'hold', created_by: 'admin',
    created: 1 },
];

describe('freeze calendar', { timeout: 60000 }, () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await i18n.changeLanguage('zh-CN');
  });

  it('lists freezes by date with the security rule in words, in both languages', async () => {
    fakeServer((c) => (c.url.endsWith('/freezes') ? json({ freezes }) : undefined));
    const { unmount } = render(<Freezes me={{ name: 'aud', role: 'auditor' }} />);
    await screen.findByTestId('freeze-dates-1');
    const text = screen.getByTestId('freezes').textContent!;
    expect(text.indexOf('2026-11-10 – 2026-11-12')).toBeLessThan(text.indexOf('2027-01-28'));
    expect(text).toContain('全部终端');
    expect(text).toContain('分组 north');
    expect(text).toContain('也暂停，封网结束后再装');
    expect(screen.queryByTestId('freeze-form')).toBeNull();
    expect(screen.queryByTestId('freeze-remove-1')).toBeNull();
    unmount();
    await i18n.changeLanguage('en');
    render(<Freezes me={{ name: 'aud', role: 'auditor' }} />);
    await screen.findByTestId('freeze-dates-1');
    expect(screen.getByTestId('freezes').textContent).toContain('installed once their deadline has passed');
  });

  it('adds a freeze for an administrator, refusing an end before the start', async () => {
    const calls = fakeServer((c) => (c.url.endsWith('/freezes') ? (c.method === 'POST' ? json({ id: 3 }, 201) : json({ freezes: [] }))
      : undefined));
    render(<Freezes me={{ name: 'admin', role: 'admin' }} />);
    await screen.findByTestId('freeze-form');
    fireEvent.change(screen.getByTestId('freeze-from'), { target: { value: '2026-12-31' } });
    fireEvent.change(screen.getByTestId('freeze-to'), { target: { value: '2026-12-30' } });
    fireEvent.change(screen.getByTestId('freeze-reason'), { target: { value: '月末结算' } });
    fireEvent.click(screen.getByTestId('freeze-add'));
    expect(await screen.findByText('结束日期不能早于开始日期')).toBeTruthy();
    fireEvent.change(screen.getByTestId('freeze-to'), { target: { value: '2027-01-01' } });
    fireEvent.click(screen.getByTestId('freeze-add'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ scope: 'fleet', group: '', from: '2026-12-31', to: '2027-01-01',
                                                                  reason: '月末结算', security: 'hold' });
  });

  it('removes a freeze with a reason', async () => {
    const calls = fakeServer((c) => (c.url.includes('/freezes') ? json(c.method === 'GET' ? { freezes } : {}) : undefined));
    render(<Freezes me={{ name: 'admin', role: 'admin' }} />);
    fireEvent.click(await screen.findByTestId('freeze-remove-1'));
    fireEvent.click(await screen.findByTestId('freeze-remove-ok'));
    expect(await screen.findByText('每次更改都要填写原因')).toBeTruthy();
    fireEvent.change(screen.getByTestId('freeze-remove-reason'), { target: { value: '活动取消' } });
    fireEvent.click(screen.getByTestId('freeze-remove-ok'));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE')).toBe(true));
    const del = calls.find((c) => c.method === 'DELETE')!;
    expect(del.url).toContain('/api/v1/freezes/1');
    expect(del.body).toEqual({ reason: '活动取消' });
  });
});
