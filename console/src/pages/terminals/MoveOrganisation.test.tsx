// A terminal's organisation on its page: named with its kind from the caller's organisation list
// by the id the terminal's record carries, without asking the terminal list (one outside the
// list is shown as '—'); giving it to another organisation offers the
// caller's subtree in tree order, indented, with kinds, where it is now greyed out, asks for an
// organisation and a reason before anything is sent, then the page names the new one; the
// server's refusal is said in words; only the roles with 'terminal' see the action, and only
// when there is somewhere else to move it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import i18n from '../../i18n';
import { can } from '../../access';
import { Call, fakeServer, json } from '../rollouts/fixtures';
import type { Organisation } from '../organisations/organisationList';
import TerminalDetail from './TerminalDetail';
import type { TerminalView } from './types';

const terminal: TerminalView = {
  serial: 'T1', model: 'A920', installed_version: '1.0.0', group: '', merchant_id: 0, merchant: '', organisation: 1,
  created: '2026-11-24T08:00:00Z', last_seen: null, online: false, state: 'idle',
  slots: { reported: false, active: '', booted: '', a: { version: '' }, b: { version: '' } },
  progress: null, deployments: [], notifications: [], tickets: [], retired: null, retired_reason: '',
};

const org = (id: number, parent: number | null, kind: Organisation['kind'], name: string, depth: number,
             terminals: number): Organisation => ({ id, parent, kind, name, depth, terminals, created_by: 'admin' });

// The acquirer holds one terminal, T1's organisation holds T1 (西湖茶馆 is below 华东代理).
function tree(where: number): Organisation[] {
  const rows = [org(1, null, 'acquirer', '', 0, 1), org(2, 1, 'reseller', '华东代理', 1, 0),
                org(4, 2, 'merchant', '西湖茶馆', 2, 0), org(3, 1, 'reseller', '华南代理', 1, 0)];
  return rows.map((o) => (o.id === where ? { ...o, terminals: (o.terminals ?? 0) + 1 } : o));
}

interface Fleet {
  where: number; // T1's organisation, as its record names it
  put?: (c: Call) => Response | undefined;
}

// The terminal's page and what it asks; a move changes `fleet.where`.
function server(fleet: Fleet) {
  return fakeServer((c) => {
    const url = new URL(c.url, 'http://console');
    const orgs = tree(fleet.where);
    if (c.method === 'PUT' && url.pathname === '/api/v1/terminals/T1/organisation') {
      const refused = fleet.put?.(c);
      if (refused) return refused;
      fleet.where = (c.body as { organisation: number }).organisation;
      const to = orgs.find((o) => o.id === fleet.where);
      return json({ serial: 'T1', organisation: to, from: orgs[0] });
    }
    if (url.pathname === '/api/v1/organisations') return json({ own: 1, organisations: orgs });
    if (url.pathname === '/api/v1/terminals/T1') return json({ ...terminal, organisation: fleet.where });
    if (url.pathname.endsWith('/T1/lock')) return json({ serial: 'T1', locked: false, state: null });
    if (url.pathname.endsWith('/T1/actions')) return json({ serial: 'T1', actions: [] });
    if (url.pathname.endsWith('/T1/certificates')) return json({ serial: 'T1', certificates: [] });
    if (url.pathname.endsWith('/parameters/templates')) return json({ templates: [] });
    if (url.pathname.endsWith('/T1/parameters')) return json({ serial: 'T1', apps: [] });
    return undefined;
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

const shown = () => screen.getByTestId('detail-organisation').textContent;
// The terminal list's requests (none: the record names the organisation).
const listed = (calls: Call[]) => calls.filter((c) => c.url.startsWith('/api/v1/terminals?')).map((c) => c.url);
const type = (testid: string, value: string) => fireEvent.change(screen.getByTestId(testid), { target: { value } });
const options = () => [...document.querySelectorAll<HTMLElement>('.ant-select-item-option')];

function openPicker() {
  const select = screen.getByTestId('move-org-to');
  fireEvent.mouseDown(select.querySelector('.ant-select-selector') ?? select.querySelector('input') ?? select);
}

describe('a terminal\'s organisation', () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await i18n.changeLanguage('zh-CN');
  });

  it('is named with its kind from the terminal\'s record and the organisation list, in both languages', async () => {
    const calls = server({ where: 4 });
    const { unmount } = page('auditor');
    await waitFor(() => expect(shown()).toBe('西湖茶馆（商户）'));
    expect(screen.getByTestId('detail-organisation').getAttribute('data-id')).toBe('4');
    expect(calls.filter((c) => c.url === '/api/v1/organisations')).not.toEqual([]);
    expect(listed(calls)).toEqual([]);
    expect(screen.queryByTestId('move-org')).toBeNull();
    unmount();
    vi.restoreAllMocks();
    await i18n.changeLanguage('en');
    const again = server({ where: 1 });
    page('auditor');
    await waitFor(() => expect(shown()).toBe('Acquirer'));
    expect(listed(again)).toEqual([]);
  }, 60000);

  it('is shown as \'—\' when the organisation list does not hold it', async () => {
    const calls = server({ where: 9 });
    page();
    await waitFor(() => expect(shown()).toBe('—'));
    expect(screen.getByTestId('detail-organisation').getAttribute('data-id')).toBeNull();
    expect(listed(calls)).toEqual([]);
    fireEvent.click(screen.getByTestId('move-org'));
    expect((await screen.findByTestId('move-org-note')).textContent).not.toContain('现属');
  }, 60000);

  it('moves to another organisation with a reason, then the page names the new one', async () => {
    const fleet: Fleet = { where: 4 };
    const calls = server(fleet);
    page();
    await waitFor(() => expect(shown()).toBe('西湖茶馆（商户）'));
    fireEvent.click(screen.getByTestId('move-org'));
    expect((await screen.findByTestId('move-org-note')).textContent).toContain('现属西湖茶馆');
    openPicker();
    await waitFor(() => expect(options().length).toBe(4));
    // Tree order, indented by depth, each with its kind; where it is now cannot be chosen.
    expect(options().map((o) => o.textContent)).toEqual(['收单机构', '华东代理代理商', '西湖茶馆商户（当前所属）', '华南代理代理商']);
    expect(screen.getByTestId('move-org-to-4').style.paddingLeft).toBe('32px');
    expect(screen.getByTestId('move-org-to-3').style.paddingLeft).toBe('16px');
    expect(options()[2].className).toContain('ant-select-item-option-disabled');
    fireEvent.click(screen.getByTestId('move-org-ok'));
    expect(await screen.findByText('请选择要移至的组织')).toBeTruthy();
    expect(await screen.findByText('请填写原因')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'PUT')).toEqual([]);
    fireEvent.click(options()[1]);
    type('move-org-reason', '   ');
    fireEvent.click(screen.getByTestId('move-org-ok'));
    expect(await screen.findByText('请填写原因')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'PUT')).toEqual([]);
    type('move-org-reason', ' 交由代理商维护 ');
    fireEvent.click(screen.getByTestId('move-org-ok'));
    await waitFor(() => expect(shown()).toBe('华东代理（代理商）'));
    expect(calls.filter((c) => c.method === 'PUT').map((c) => [c.url, c.body]))
      .toEqual([['/api/v1/terminals/T1/organisation', { organisation: 2, reason: '交由代理商维护' }]]);
    expect(listed(calls)).toEqual([]);
  }, 60000);

  it('says why the server refused, in the reader\'s language', async () => {
    const fleet: Fleet = {
      where: 1,
      put: () => json({ error: { code: 'not_found', message: 'no organisation 3; the organisation list shows those you may use' } }, 404),
    };
    const calls = server(fleet);
    const { unmount } = page('release_manager');
    await waitFor(() => expect(shown()).toBe('收单机构'));
    fireEvent.click(screen.getByTestId('move-org'));
    openPicker();
    await waitFor(() => expect(options().length).toBe(4));
    fireEvent.click(options()[3]);
    type('move-org-reason', '签约');
    fireEvent.click(screen.getByTestId('move-org-ok'));
    expect((await screen.findByTestId('move-org-error')).textContent).toBe('找不到这个组织或终端，它可能已不在您的组织范围内；请刷新页面后重试');
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(1);
    expect(shown()).toBe('收单机构');
    unmount();
    vi.restoreAllMocks();
    await i18n.changeLanguage('en');
    server({ where: 1, put: () => json({ error: { code: 'invalid_argument', message: 'reason holds a control character' } }, 400) });
    page();
    await waitFor(() => expect(shown()).toBe('Acquirer'));
    fireEvent.click(screen.getByTestId('move-org'));
    openPicker();
    await waitFor(() => expect(options().length).toBe(4));
    fireEvent.click(options()[1]);
    type('move-org-reason', 'signed');
    fireEvent.click(screen.getByTestId('move-org-ok'));
    expect((await screen.findByTestId('move-org-error')).textContent)
      .toBe('Please check what you entered: reason holds a control character');
  }, 60000);

  it('is moved only by the roles with \'terminal\', and only when there is somewhere else', async () => {
    expect(['admin', 'release_manager', 'support', 'auditor'].map((r) => can(r, 'terminal'))).toEqual([true, true, false, false]);
    server({ where: 4 });
    const { unmount } = page('support');
    await waitFor(() => expect(shown()).toBe('西湖茶馆（商户）'));
    expect(screen.queryByTestId('move-org')).toBeNull();
    unmount();
    vi.restoreAllMocks();
    // A merchant's administrator: its subtree is its own organisation alone.
    fakeServer((c) => {
      if (c.url.endsWith('/organisations')) return json({ own: 4, organisations: [org(4, 2, 'merchant', '西湖茶馆', 2, 1)] });
      if (c.url.endsWith('/terminals/T1')) return json({ ...terminal, organisation: 4 });
      return undefined;
    });
    page();
    await waitFor(() => expect(shown()).toBe('西湖茶馆（商户）'));
    expect(screen.queryByTestId('move-org')).toBeNull();
  }, 60000);
});
