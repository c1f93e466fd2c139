// Webhook settings: the list says whether a secret is set (never the secret),
// adding sends the chosen format and events with the write-only secret, a
// test says it was sent, and the words exist in both languages.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from '../../i18n';
import Webhooks from './Webhooks';
import { fakeServer, json } from '../rollouts/fixtures';

const hooks = [{ id: 1, name: 'ops', url: 'https://oapi.dingtalk.com/robot/send?access_token=x', format: 'dingtalk',
                 events: ['rollout.paused', 'rollout.stopped'], has_secret: true, created: 1, last_delivery: null }];

describe('webhook settings', { timeout: 60000 }, () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await i18n.changeLanguage('zh-CN');
  });

  it('lists webhooks and sends a test', async () => {
    const calls = fakeServer((c) => (c.url.endsWith('/webhooks') ? json({ webhooks: hooks })
      : c.url.endsWith('/webhooks/1/test') ? json({ status: 200 }) : undefined));
    render(<Webhooks me={{ name: 'admin', role: 'admin' }} />);
    await screen.findByTestId('webhook-test-1');
    const text = screen.getByTestId('webhooks').textContent!;
    expect(text).toContain('钉钉群机器人');
    expect(text).toContain('灰度发布暂停');
    expect(text).toContain('已设置密钥');
    fireEvent.click(screen.getByTestId('webhook-test-1'));
    expect((await screen.findByTestId('webhook-notice')).textContent).toBe('测试消息已发送（对方返回 200）');
    expect(calls.find((c) => c.url.endsWith('/test'))!.method).toBe('POST');
  });

  it('adds a webhook with its secret (English)', async () => {
    await i18n.changeLanguage('en');
    const calls = fakeServer((c) => (c.url.endsWith('/webhooks') ? (c.method === 'POST' ? json({ id: 2 }, 201) : json({ webhooks: [] }))
      : undefined));
    render(<Webhooks me={{ name: 'admin', role: 'admin' }} />);
    await screen.findByText('No webhooks yet');
    fireEvent.click(screen.getByTestId('webhook-add'));
    expect(await screen.findByText('Enter a name')).toBeTruthy();
    fireEvent.change(screen.getByTestId('webhook-name'), { target: { value: 'ops' } });
    fireEvent.change(screen.getByTestId('webhook-url'), { target: { value: 'https://example.com/hook' } });
    fireEvent.change(screen.getByTestId('webhook-secret'), { target: { value: 's3cret' } });
    fireEvent.click(screen.getByTestId('webhook-add'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({
      name: 'ops', url: 'https://example.com/hook', format: 'json', secret: 's3cret',
      events: ['rollout.paused', 'rollout.approval_needed', 'rollout.finished', 'rollout.stopped'],
    });
  });
});
