// The back office's frame: every page the role may see is in the side menu
// with its name, each page has a title (h1 and the tab's title), and when
// the session ends under the user the log-in form says so, the address is
// kept, and logging in again returns to the same page.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, useLocation } from 'react-router';
import App from './App';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function Where() {
  return <span data-testid="where">{useLocation().pathname}</span>;
}

// A server whose session answers `alive()`; every other request answers an
// empty list (or 401 once the session is gone).
function fakeServer(alive: () => boolean) {
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    if (url.endsWith('/api/v1/session') && method === 'POST') return json(200, { name: 'admin', role: 'admin', csrf: 'x' });
    if (!alive()) return json(401, { error: { code: 'unauthorized', message: 'log in first' } });
    if (url.endsWith('/api/v1/session')) return json(200, { name: 'admin', role: 'admin', csrf: 'x' });
    return json(200, { entries: [], total: 0, tickets: [], releases: [], deployments: [], users: [] });
  });
}

describe('App shell', () => {
  afterEach(() => vi.restoreAllMocks());

  it('lists every page of an administrator in the side menu, and titles the page', async () => {
    fakeServer(() => true);
    render(
      <MemoryRouter initialEntries={['/users']}>
        <App />
      </MemoryRouter>,
    );
    const nav = await screen.findByTestId('nav', {}, { timeout: 20000 });
    for (const p of ['overview', 'terminals', 'policy', 'releases', 'deployments', 'support', 'audit', 'users', 'applications', 'rollouts',
                     'freezes', 'webhooks', 'parameters'])
      expect(nav.querySelector(`[data-testid=nav-${p}]`)).not.toBeNull();
    expect(screen.getByTestId('sider')).toBeTruthy();
    const h1 = await screen.findByRole('heading', { level: 1 }, { timeout: 20000 });
    expect(h1.textContent).toBe('后台用户');
    await waitFor(() => expect(document.title).toBe('后台用户 · posfleet 后台管理'), { timeout: 20000 });
  }, 60000);

  it('says the session expired, keeps the address and returns to it', async () => {
    let alive = true;
    fakeServer(() => alive);
    render(
      <MemoryRouter initialEntries={['/support']}>
        <App />
        <Where />
      </MemoryRouter>,
    );
    await screen.findByTestId('nav', {}, { timeout: 20000 });
    alive = false;
    await act(async () => fireEvent.click(screen.getByTestId('nav-audit')));
    expect((await screen.findByTestId('session-expired', {}, { timeout: 20000 })).textContent).toContain('登录已过期');
    expect(screen.getByTestId('where').textContent).toBe('/audit');
    alive = true;
    fireEvent.change(screen.getByTestId('login-name'), { target: { value: 'admin' } });
    fireEvent.change(screen.getByTestId('login-password'), { target: { value: 'secret' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    await screen.findByTestId('nav', {}, { timeout: 20000 });
    expect(screen.queryByTestId('session-expired')).toBeNull();
    expect(screen.getByTestId('where').textContent).toBe('/audit');
    expect((await screen.findByRole('heading', { level: 1 }, { timeout: 20000 })).textContent).toBe('审计日志');
  }, 60000);
});
