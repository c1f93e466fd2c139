// The terminal list reads its filters and page from the URL and asks the
// server for exactly that page — the health condition, "not seen for N days" (never with online)
// and an organisation's subtree too, which the export sends as well; the policy form refuses a
// change without a reason before sending anything.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import i18n from '../../i18n';
import { listPath, readPosition, withFilter, withPage } from './filters';
import { terminalsPath } from './exportTerminals';
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

  it('carry health, not seen for N days and organisation from the URL to the API and back', () => {
    const url = new URLSearchParams('health=low_battery&not_seen_days=7&organisation=12&page=2&size=50&after=PF9');
    const pos = readPosition(url);
    expect(pos).toEqual({ filter: { health: 'low_battery', not_seen_days: '7', organisation: '12' }, page: 2, size: 50,
                          after: 'PF9' });
    expect(listPath(pos)).toBe('/terminals?health=low_battery&not_seen_days=7&organisation=12&after=PF9&limit=50');
    // Back to a URL and read again: the same filters.
    const again = withFilter(url, { model: 'A920' });
    expect(again.toString()).toBe('health=low_battery&not_seen_days=7&organisation=12&size=50&model=A920');
    expect(readPosition(again).filter).toEqual({ model: 'A920', health: 'low_battery', not_seen_days: '7', organisation: '12' });
    // The export asks for the same terminals.
    expect(terminalsPath(pos.filter, null)).toBe('/terminals?health=low_battery&not_seen_days=7&organisation=12&offset=0&limit=1000');
    // Values the server would refuse are left out.
    expect(readPosition(new URLSearchParams('health=broken&not_seen_days=0&organisation=x1')).filter).toEqual({});
    expect(readPosition(new URLSearchParams('not_seen_days=3651')).filter).toEqual({});
  });

  it('never send online and not seen for N days together', () => {
    const both = readPosition(new URLSearchParams('online=true&not_seen_days=3'));
    expect(both.filter).toEqual({ not_seen_days: '3' });
    expect(listPath(both)).toBe('/terminals?not_seen_days=3&offset=0&limit=20');
    expect(withFilter(new URLSearchParams('online=false&mode=never'), { not_seen_days: '30' }).toString())
      .toBe('mode=never&not_seen_days=30');
    expect(withFilter(new URLSearchParams('not_seen_days=30&mode=never'), { online: 'true' }).toString())
      .toBe('mode=never&online=true');
    expect(withFilter(new URLSearchParams('not_seen_days=30&online=true'), { health: 'weak_signal' }).toString())
      .toBe('not_seen_days=30&online=true&health=weak_signal');
  });

  it('name the organisation it is filtered to, with a way to clear it', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (url) =>
      String(url).includes('/overview')
        ? json({ online: 0, offline: 0, online_window_seconds: 60, versions: [], outcomes: [], modes: { auto: 0, manual: 0, never: 0 }, security: [] })
        : String(url).endsWith('/organisations')
          ? json({ own: 1, organisations: [{ id: 1, parent: null, kind: 'acquirer', name: '', depth: 0 },
                                          { id: 12, parent: 1, kind: 'reseller', name: '华东代理', depth: 1 }] })
          : json({ total: 0, terminals: [] }),
    );
    render(
      <MemoryRouter initialEntries={['/terminals?organisation=12&health=low_storage']}>
        <TerminalList me={me} />
      </MemoryRouter>,
    );
    const tag = await screen.findByTestId('filter-organisation');
    await waitFor(() => expect(tag.textContent).toBe('组织：华东代理（含下级组织）'));
    expect(fetchSpy.mock.calls.map((c) => String(c[0]))).toContain('/api/v1/terminals?health=low_storage&organisation=12&offset=0&limit=20');
    expect(screen.getByTestId('filter-health').closest('.ant-select')?.textContent).toContain('存储空间不足');
    fireEvent.click(tag.querySelector('.ant-tag-close-icon')!);
    await waitFor(() => expect(screen.queryByTestId('filter-organisation')).toBeNull());
    await waitFor(() => expect(fetchSpy.mock.calls.map((c) => String(c[0]))).toContain('/api/v1/terminals?health=low_storage&offset=0&limit=20'));
    fetchSpy.mockRestore();
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
