// The terminal list reads its filters and page from the URL and asks the
// server for exactly that page; the policy form refuses a change without a
// reason before sending anything.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import i18n from '../../i18n';
import { listPath, readPosition, withFilter, withPage } from './filters';
import TerminalList from './TerminalList';
import PolicyPanel from './PolicyPanel';

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
const me = { name: 'ann', role: 'release_manager' };

describe('terminal list filters', () => {
  it('turn the URL into one page of the API', () => {
    const pos = readPosition(new URLSearchParams('model=A920&mode=never&page=3&size=50&bogus=1'));
    expect(pos).toEqual({ filter: { model: 'A920', mode: 'never' }, page: 3, size: 50 });
    expect(listPath(pos)).toBe('/terminals?model=A920&mode=never&offset=100&limit=50');
    expect(readPosition(new URLSearchParams('page=-2&size=7'))).toMatchObject({ page: 1, size: 20 });
  });

  it('go back to the first page when a filter changes, and drop empty ones', () => {
    const next = withFilter(new URLSearchParams('q=ab&page=4&size=50&after=PF9'), { q: '', state: 'failed' });
    expect(next.toString()).toBe('size=50&state=failed');
  });

  it('ask for the next or previous page after or before a serial, and for any other by offset', () => {
    const at3 = readPosition(new URLSearchParams('model=A920&page=3&size=50'));
    const next = withPage(new URLSearchParams('model=A920&page=3&size=50'), at3, 4, 50, 'PF0101', 'PF0150');
    expect(next.toString()).toBe('model=A920&page=4&size=50&after=PF0150');
    expect(listPath(readPosition(next))).toBe('/terminals?model=A920&after=PF0150&limit=50');
    const prev = withPage(next, readPosition(next), 3, 50, 'PF0151', 'PF0200');
    expect(prev.toString()).toBe('model=A920&page=3&size=50&before=PF0151');
    expect(listPath(readPosition(prev))).toBe('/terminals?model=A920&before=PF0151&limit=50');
    // Back to the first page, a jump, or a new page size: an offset, nothing else.
    expect(withPage(prev, readPosition(prev), 2, 50, 'PF0101', 'PF0150').toString()).toBe('model=A920&page=2&size=50&before=PF0101');
    expect(withPage(next, readPosition(next), 1, 50, 'PF0151', 'PF0200').toString()).toBe('model=A920&page=1&size=50');
    expect(withPage(next, readPosition(next), 9, 50, 'PF0151', 'PF0200').toString()).toBe('model=A920&page=9&size=50');
    expect(withPage(next, readPosition(next), 4, 100, 'PF0151', 'PF0200').toString()).toBe('model=A920&page=4&size=100');
    expect(withPage(next, readPosition(next), 5, 50).toString()).toBe('model=A920&page=5&size=50');
    // A serial from the URL is used only if the server would take it, and never on page 1.
    expect(readPosition(new URLSearchParams('page=2&after=PF%3Cx%3E'))).toEqual({ filter: {}, page: 2, size: 20 });
    expect(readPosition(new URLSearchParams('page=1&after=PF1'))).toEqual({ filter: {}, page: 1, size: 20 });
    expect(readPosition(new URLSearchParams('page=2&before=PF1')).before).toBe('PF1');
  });

  it('ask the server for the filtered page and show its total', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (url) =>
      String(url).includes('/overview')
        ? json({ online: 0, offline: 1, online_window_seconds: 60, versions: [], outcomes: [], modes: { auto: 1, manual: 0, never: 0 }, security: [] })
        : json({
            total: 1,
            terminals: [{ serial: 'PF1', model: 'A920', installed_version: '', group: '', merchant_id: 0, merchant: '茶馆',
                          mode: 'never', state: 'failed', last_seen: '2026-11-24T08:00:00Z' }],
          }),
    );
    render(
      <MemoryRouter initialEntries={['/terminals?mode=never&state=failed']}>
        <TerminalList me={me} />
      </MemoryRouter>,
    );
    expect(await screen.findByTestId('terminal-PF1')).toBeTruthy();
    expect(fetchSpy.mock.calls.map((c) => String(c[0]))).toContain('/api/v1/terminals?mode=never&state=failed&offset=0&limit=20');
    expect(screen.getByTestId('total').textContent).toBe('共 1 台');
    expect(screen.getByText('茶馆')).toBeTruthy();
    fetchSpy.mockRestore();
  });
});

describe('policy form', () => {
  const view = {
    effective: { mode: 'auto', locked: false, lock_reason: '', revision: 1, window: { start: '00:00', end: '00:00', tz: 'Asia/Shanghai' } },
    history: [],
  };

  it('asks for a reason before sending a change', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async () => json(view));
    render(<PolicyPanel serial="PF1" me={me} />);
    fireEvent.click(await screen.findByTestId('policy-save'));
    expect(await screen.findByText('每次更改都要填写原因')).toBeTruthy();
    expect(fetchSpy.mock.calls.filter((c) => (c[1] as RequestInit | undefined)?.method === 'PUT')).toHaveLength(0);
    fetchSpy.mockRestore();
  });

  it('says the same in English', async () => {
    await i18n.changeLanguage('en');
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async () => json(view));
    render(<PolicyPanel serial="PF1" me={me} />);
    fireEvent.click(await screen.findByTestId('policy-save'));
    expect(await screen.findByText('Every change needs a reason')).toBeTruthy();
    await i18n.changeLanguage('zh-CN');
    fetchSpy.mockRestore();
  });

  it('sends the change with its reason', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async () => json(view));
    render(<PolicyPanel serial="PF1" me={me} />);
    fireEvent.change(await screen.findByTestId('policy-reason'), { target: { value: '  商户要求  ' } });
    fireEvent.click(screen.getByTestId('policy-save'));
    await waitFor(() => {
      const put = fetchSpy.mock.calls.find((c) => (c[1] as RequestInit | undefined)?.method === 'PUT');
      expect(put && JSON.parse(String((put[1] as RequestInit).body))).toEqual({ terminal: 'PF1', mode: 'auto', reason: '商户要求' });
    });
    fetchSpy.mockRestore();
  });

  it('is not offered to a read-only role', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async () => json(view));
    render(<PolicyPanel serial="PF1" me={{ name: 'carl', role: 'auditor' }} />);
    await screen.findByTestId('policy-mode');
    expect(screen.queryByTestId('policy-save')).toBeNull();
    fetchSpy.mockRestore();
  });
});
