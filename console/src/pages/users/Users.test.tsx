// The users page names each user's organisation (the acquirer's own by its kind), and a user
// made in another organisation is sent with its id; where the administrator's subtree is its own
// organisation alone, none is sent and the server uses the administrator's own.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from '../../i18n';
import { fakeServer, json } from '../rollouts/fixtures';
import Users from './Users';

const organisations = [
  { id: 1, parent: null, kind: 'acquirer', name: '', depth: 0, terminals: 1, created_by: '' },
  { id: 2, parent: 1, kind: 'reseller', name: '华东代理', depth: 1, terminals: 0, created_by: 'admin' },
  { id: 4, parent: 2, kind: 'merchant', name: '西湖茶馆', depth: 2, terminals: 1, created_by: 'admin' },
];
const user = (name: string, organisation: number) =>
  ({ name, role: 'admin', disabled: false, totp: false, organisation, created: '2026-11-24T08:00:00Z' });

function server(orgs = organisations) {
  return fakeServer((c) => {
    if (c.url.endsWith('/users') && c.method === 'POST') return json({ ...user('east-ops', 2), role: 'support' }, 201);
    if (c.url.endsWith('/users')) return json({ users: [user('admin', 1), user('east-admin', 2)] });
    if (c.url.endsWith('/organisations')) return json({ own: orgs[0].id, organisations: orgs });
    if (c.url.endsWith('/settings/accounts')) return json({ totp_required_for_admins: false });
    if (c.url.endsWith('/tokens')) return json({ tokens: [] });
    return undefined;
  });
}

function open(testid: string) {
  const select = screen.getByTestId(testid);
  fireEvent.mouseDown(select.querySelector('.ant-select-selector') ?? select.querySelector('input') ?? select);
}
const type = (testid: string, value: string) => fireEvent.change(screen.getByTestId(testid), { target: { value } });

async function create(organisation?: string) {
  fireEvent.click(screen.getByTestId('user-create'));
  type('user-name', 'east-ops');
  open('user-role');
  fireEvent.click(await screen.findByTitle('客服 — 客服工单、身份核实、代商户更改'));
  type('user-password', 'long-enough-password');
  type('user-confirm', 'long-enough-password');
  if (organisation) {
    open('user-organisation');
    fireEvent.click(await screen.findByTitle(organisation));
  }
  fireEvent.click(screen.getByTestId('user-save'));
  await screen.findByTestId('users-info');
}

describe('users and their organisations', () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await i18n.changeLanguage('zh-CN');
  });

  it('names each user\'s organisation and makes one in the organisation chosen', async () => {
    const calls = server();
    render(<Users me={{ name: 'admin', role: 'admin' }} />);
    await waitFor(() => expect(screen.getByTestId('user-org-east-admin').textContent).toBe('华东代理'));
    expect(screen.getByTestId('user-org-admin').textContent).toBe('收单机构');
    await create('华东代理');
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body))
      .toEqual([{ name: 'east-ops', role: 'support', password: 'long-enough-password', organisation: 2 }]);
  }, 60000);

  it('sends no organisation when there is none to choose', async () => {
    const calls = server(organisations.slice(1, 2));
    render(<Users me={{ name: 'admin', role: 'admin' }} />);
    await waitFor(() => expect(screen.getByTestId('user-org-east-admin').textContent).toBe('华东代理'));
    expect(screen.getByTestId('user-org-admin').textContent).toBe('#1');
    await create();
    expect(screen.queryByTestId('user-organisation')).toBeNull();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body))
      .toEqual([{ name: 'east-ops', role: 'support', password: 'long-enough-password' }]);
  }, 60000);
});
