// Creating a rollout: the form refuses what the server would (no release, no
// target, percentages out of order), the preview shows each wave's count, its
// start and freeze in the reader's time and who is left out in words, and
// "Create" sends the previewed body with the scheduled start the reader
// entered in local time as unix seconds.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from '../../i18n';
import CreateRollout, { bodyOf, DEFAULT_WAVES } from './CreateRollout';
import { fakeServer, json, T0, readerInShanghai } from './fixtures';

readerInShanghai();

const preview = {
  total: 120,
  waves: [
    { index: 0, terminals: 1, groups: null, percent: 1, can_start_at: null, frozen_until: null },
    { index: 1, terminals: 11, groups: null, percent: 10, can_start_at: T0, frozen_until: T0 + 86400 },
  ],
  excluded: { wrong_model: 3, already_installed: 0, mode_never: 2, offline: 4, retired: 0, busy: 0 },
};

const pick = async (container: HTMLElement, testId: string, title: string) => {
  fireEvent.mouseDown(container.querySelector(`[data-testid="${testId}"] .ant-select-selector, [data-testid="${testId}"]`)!);
  fireEvent.click(await screen.findByTitle(title));
};

describe('create a rollout', { timeout: 60000 }, () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await i18n.changeLanguage('zh-CN');
  });

  it('requires a release and a target (zh-CN)', async () => {
    const calls = fakeServer(() => undefined);
    render(<CreateRollout releases={['2.1.0']} onCreated={() => undefined} />);
    fireEvent.click(screen.getByTestId('create-preview'));
    expect(await screen.findByText('请选择要发布的版本')).toBeTruthy();
    expect(await screen.findByText('请选择发布目标')).toBeTruthy();
    expect(calls).toHaveLength(0);
    expect((screen.getByTestId('create-submit') as HTMLButtonElement).disabled).toBe(true);
  });

  it('requires a release and a target (English)', async () => {
    await i18n.changeLanguage('en');
    fakeServer(() => undefined);
    render(<CreateRollout releases={['2.1.0']} onCreated={() => undefined} />);
    fireEvent.click(screen.getByTestId('create-preview'));
    expect(await screen.findByText('Choose the release to roll out')).toBeTruthy();
    expect(await screen.findByText('Choose what to roll out to')).toBeTruthy();
  });

  it('refuses percentages that do not grow to 100', async () => {
    const calls = fakeServer(() => undefined);
    const { container } = render(<CreateRollout releases={['2.1.0']} onCreated={() => undefined} />);
    await pick(container, 'create-release', '2.1.0');
    fireEvent.click(screen.getByTestId('create-target-group'));
    fireEvent.change(await screen.findByTestId('create-group'), { target: { value: 'north' } });
    fireEvent.change(screen.getByTestId('wave-percent-2'), { target: { value: '5' } });
    fireEvent.click(screen.getByTestId('create-preview'));
    expect(await screen.findByText('每一批的比例要比上一批大，最后一批为 100')).toBeTruthy();
    expect(calls).toHaveLength(0);
  });

  it('previews, then creates exactly what was previewed, the start entered in local time', async () => {
    const calls = fakeServer((c) => {
      if (c.url.endsWith('/rollouts/preview')) return json(preview);
      if (c.url.endsWith('/rollouts') && c.method === 'POST') return json({ id: 9 }, 201);
      return undefined;
    });
    const onCreated = vi.fn();
    const { container } = render(<CreateRollout releases={['2.1.0']} onCreated={onCreated} />);
    await pick(container, 'create-release', '2.1.0');
    fireEvent.click(screen.getByTestId('create-target-group'));
    fireEvent.change(await screen.findByTestId('create-group'), { target: { value: 'north' } });
    fireEvent.click(screen.getByTestId('wave-approval-0'));
    fireEvent.change(screen.getByTestId('create-start-at'), { target: { value: '2099-11-24T16:00' } });
    fireEvent.click(screen.getByTestId('create-preview'));
    const box = await screen.findByTestId('preview');
    expect(box.textContent).toContain('预览：共 120 台终端');
    expect(screen.getByTestId('preview-wave-1').textContent).toBe('11');
    expect(screen.getByTestId('preview-start-0').textContent).toBe('立即');
    expect(screen.getByTestId('preview-start-1').textContent).toBe('2026/11/24 16:00:00');
    expect(box.textContent).toContain('2026/11/25 16:00:00'); // frozen until
    expect(screen.getByTestId('preview-excluded').textContent).toBe('不计入的终端：型号不符 3，自动更新设为永不 2，离线超过 7 天 4');
    fireEvent.click(screen.getByTestId('create-submit'));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(9));
    const sent = calls.filter((c) => c.method === 'POST');
    expect(sent.map((c) => c.url.replace(/.*\/api\/v1/, ''))).toEqual(['/rollouts/preview', '/rollouts']);
    expect(sent[1].body).toEqual(sent[0].body);
    const body = sent[1].body as Record<string, unknown>;
    expect(body.target).toEqual({ group: 'north' });
    expect(body.start_at).toBe(Date.UTC(2099, 10, 24, 8, 0, 0) / 1000); // 16:00 Shanghai
    expect(body.start).toBe(true);
    expect((body.waves as unknown[])[0]).toEqual({ percent: 1, success_threshold: 95, error_threshold: 2, soak_seconds: 3600,
                                                   needs_approval: true });
  });

  it('names the exclusions in English', async () => {
    await i18n.changeLanguage('en');
    fakeServer((c) => (c.url.endsWith('/rollouts/preview') ? json(preview) : undefined));
    const { container } = render(<CreateRollout releases={['2.1.0']} onCreated={() => undefined} />);
    await pick(container, 'create-release', '2.1.0');
    fireEvent.click(screen.getByTestId('create-target-terminals'));
    fireEvent.change(await screen.findByTestId('create-serials'), { target: { value: 'PF1 PF2' } });
    fireEvent.click(screen.getByTestId('create-preview'));
    expect((await screen.findByTestId('preview-excluded')).textContent)
      .toBe('Left out: other model 3, automatic update set to never 2, offline for more than 7 days 4');
    expect(screen.getByTestId('preview-start-0').textContent).toBe('now');
  });

  it('builds group waves in order', () => {
    const body = bodyOf({ release: '2.1.0', target: 'filter', filter: { model: ' A920 ' }, by: 'group',
                          waves: [{ group: 'pilot', soak_minutes: 30 }, { group: 'all' }], offline_days: 3 });
    expect(body).toMatchObject({ target: { filter: { model: 'A920' } }, offline_days: 3, start_at: null, start: false });
    expect(body.waves).toEqual([
      { group: 'pilot', success_threshold: 95, error_threshold: 2, soak_seconds: 1800, needs_approval: false },
      { group: 'all', success_threshold: 95, error_threshold: 2, soak_seconds: 3600, needs_approval: false },
    ]);
    expect(DEFAULT_WAVES.map((w) => w.percent)).toEqual([1, 10, 50, 100]);
  });
});
