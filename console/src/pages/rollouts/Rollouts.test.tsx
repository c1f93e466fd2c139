// The rollouts list: newest first as the server sends them, each with its
// release, target, creator, start in the reader's time, state and progress,
// filtered by state through the API — in Chinese and in English.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import i18n from '../../i18n';
import Rollouts from './Rollouts';
import { fakeServer, json, row, readerInShanghai } from './fixtures';

readerInShanghai();

const serve = () => fakeServer((c) => {
  if (c.url.includes('/api/v1/rollouts?')) return json({ rollouts: [row, { ...row, id: 6, state: 'stopped', name: '', target: { serials: ['A', 'B'] } }], total: 2 });
  if (c.url.endsWith('/api/v1/releases')) return json({ releases: [{ version: '2.0.0' }, { version: '2.1.0' }] });
  return undefined;
});

const show = (role = 'release_manager') => render(
  <MemoryRouter><Rollouts me={{ name: 'rm', role }} /></MemoryRouter>,
);

describe('rollouts list', { timeout: 60000 }, () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await i18n.changeLanguage('zh-CN');
  });

  it('lists rollouts with their state, target and start in local time (zh-CN)', async () => {
    serve();
    show();
    await screen.findByTestId('rollout-7');
    const table = screen.getByTestId('rollouts');
    expect(screen.getByTestId('rollout-state-7').textContent).toBe('待批准');
    expect(screen.getByTestId('rollout-state-6').textContent).toBe('已紧急停止');
    expect(table.textContent).toContain('分组 north');
    expect(table.textContent).toContain('指定终端 2 台');
    expect(table.textContent).toContain('2026/11/24 16:00:00'); // 08:00 UTC read in Shanghai
    expect(table.textContent).toContain('Asia/Shanghai');
    // Newest first, as the server orders them.
    const links = [...table.querySelectorAll('a[data-testid^=rollout-]')].map((a) => a.textContent);
    expect(links).toEqual(['#7', '#6']);
    expect(screen.getByTestId('rollout-create')).toBeTruthy();
  });

  it('filters by state through the API', async () => {
    const calls = serve();
    const { container } = show();
    await screen.findByTestId('rollout-7');
    fireEvent.mouseDown(container.querySelector('[data-testid="filter-state"] .ant-select-selector, [data-testid="filter-state"]')!);
    fireEvent.click(await screen.findByTitle('已暂停'));
    await waitFor(() => expect(calls.some((c) => c.url.includes('state=paused'))).toBe(true));
  });

  it('speaks English, and hides creating from roles that only read', async () => {
    await i18n.changeLanguage('en');
    serve();
    show('auditor');
    await screen.findByTestId('rollout-7');
    expect(screen.getByTestId('rollout-state-7').textContent).toBe('waiting for approval');
    expect(screen.getByTestId('rollouts').textContent).toContain('group north');
    expect(screen.queryByTestId('rollout-create')).toBeNull();
  });
});
