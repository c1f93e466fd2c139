// The parameters page: a level's values with each field's label in the reader's language, its
// type and rules, a sensitive value only as set (its box never filled in); release managers edit
// with a control per type, checked before sending, preview a terminal's set before and after
// and save what they previewed; only administrators see the lock; the server's refusal is said
// in words; the level picker reads a terminal's own values; and only the acquirer's
// administrators paste a template, its mistakes said before sending.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import i18n from '../../i18n';
import Parameters from './Parameters';
import { Call, fakeServer, json } from '../rollouts/fixtures';

const template = {
  app: 'payment', name: '支付应用', revision: 3, created_by: 'admin', created: '2026-11-24T08:00:00Z',
  updated: '2026-11-24T08:00:00Z',
  fields: [
    { key: 'merchant_no', type: 'string', label: { 'zh-CN': '商户号', en: 'Merchant number' }, sensitive: false,
      max_length: 15, pattern: '[0-9]{15}' },
    { key: 'mcc', type: 'enum', label: { 'zh-CN': '商户类别码', en: 'Category code' }, sensitive: false,
      values: ['5411', '5812'] },
    { key: 'timeout', type: 'integer', label: { 'zh-CN': '超时（秒）', en: 'Timeout (s)' }, sensitive: false, min: 10,
      max: 120, default: 60 },
    { key: 'tips', type: 'boolean', label: { 'zh-CN': '小费', en: 'Tips' }, sensitive: false },
    { key: 'tmk', type: 'string', label: { 'zh-CN': '主密钥', en: 'Master key' }, sensitive: true, max_length: 32 },
  ],
};
const organisations = [
  { id: 1, parent: null, kind: 'acquirer', name: '', depth: 0 },
  { id: 2, parent: 1, kind: 'reseller', name: '华东代理', depth: 1 },
];
const at = (key: string, value: unknown, more = {}) => ({
  key, sensitive: false, set: true, locked: false, value, updated_by: 'admin', updated: '2026-11-24T08:00:00Z', ...more });
const orgValues = {
  app: 'payment', revision: 3, where: { level: 'org', organisation: 1 },
  values: [at('merchant_no', '123456789012345'), at('mcc', null, { set: false, locked: true }),
           at('tmk', null, { sensitive: true })],
};
const eff = (key: string, value: unknown, source: string | null, more = {}) => ({
  key, sensitive: false, set: value !== null, value, source, locked_by: null, ...more });
const preview = {
  before: { app: 'payment', version: 'aaaaaaaaaaaaaaaa', values: [
    eff('merchant_no', '123456789012345', 'org:1'), eff('timeout', 60, 'default'),
    eff('tmk', null, 'org:1', { sensitive: true, set: true }) ] },
  after: { app: 'payment', version: 'bbbbbbbbbbbbbbbb', values: [
    eff('merchant_no', '123456789012345', 'org:1'), eff('timeout', 90, 'org:2'),
    eff('tmk', null, 'org:1', { sensitive: true, set: true, locked_by: 'org:1' }) ] },
};

// The server of these tests; `refuse` answers the PUT with that error.
function server(refuse?: { code: string; message: string; status: number }) {
  return fakeServer((c: Call) => {
    if (c.url.endsWith('/parameters/templates')) return json({ templates: [template] });
    if (c.url.endsWith('/organisations')) return json({ own: 1, organisations });
    if (c.url.includes('/parameters/preview/payment')) return json(preview);
    if (c.method === 'PUT' && c.url.includes('/parameters/values/payment'))
      return refuse ? json({ error: { code: refuse.code, message: refuse.message } }, refuse.status) : json(orgValues);
    if (c.url.includes('/parameters/values/payment?')) {
      const q = new URLSearchParams(c.url.split('?')[1]);
      if (q.get('level') === 'terminal') return json({ ...orgValues, where: { level: 'terminal', serial: q.get('serial') }, values: [] });
      return json({ ...orgValues, where: { level: 'org', organisation: Number(q.get('organisation') ?? 1) } });
    }
    return undefined;
  });
}

const typeInto = (testId: string, value: string) => {
  const el = screen.getByTestId(testId);
  fireEvent.change(el.tagName === 'INPUT' ? el : el.querySelector('input')!, { target: { value } });
};

describe('parameters', { timeout: 60000 }, () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await i18n.changeLanguage('zh-CN');
  });

  it('shows a level read only with labels, rules and a sensitive value only as set, in both languages', async () => {
    server();
    const { unmount } = render(<Parameters me={{ name: 'aud', role: 'auditor' }} />);
    await waitFor(() => expect(screen.getByTestId('param-level-title').textContent).toBe('组织 收单机构 的值'));
    await waitFor(() => expect(screen.getByTestId('param-current-merchant_no').textContent).toBe('123456789012345'));
    expect(screen.getByTestId('param-label-timeout').textContent).toBe('超时（秒）');
    const table = screen.getByTestId('param-values');
    expect(table.textContent).toContain('10 到 120；默认 60');
    expect(table.textContent).toContain('格式 [0-9]{15}');
    expect(screen.getByTestId('param-current-tmk').textContent).toBe('已设置');
    expect(screen.getByTestId('param-current-mcc').textContent).toContain('未设置（继承上级）');
    expect(screen.getByTestId('param-locked-mcc').textContent).toBe('已锁定');
    expect(screen.getByTestId('param-current-timeout').textContent).toBe('未设置（继承上级）');
    expect(screen.queryByTestId('param-input-merchant_no')).toBeNull();
    expect(screen.getByTestId('param-read-only')).toBeTruthy();
    unmount();
    await i18n.changeLanguage('en');
    render(<Parameters me={{ name: 'aud', role: 'auditor' }} />);
    await waitFor(() => expect(screen.getByTestId('param-level-title').textContent).toBe('Values of organisation Acquirer'));
    await waitFor(() => expect(screen.getByTestId('param-current-tmk').textContent).toBe('set'));
    expect(screen.getByTestId('param-label-timeout').textContent).toBe('Timeout (s)');
    expect(screen.getByTestId('param-values').textContent).toContain('10 to 120; default 60');
  });

  it('checks, previews and saves a release manager\'s changes, with no lock offered', async () => {
    const calls = server();
    render(<Parameters me={{ name: 'rm', role: 'release_manager' }} />);
    await waitFor(() => expect(screen.getByTestId('param-current-merchant_no').textContent).toBe('123456789012345'));
    expect(screen.queryByTestId('param-lock-merchant_no')).toBeNull();
    const tmk = screen.getByTestId('param-input-tmk') as HTMLInputElement;
    expect(tmk.type).toBe('password');
    expect(tmk.value).toBe('');
    expect(tmk.placeholder).toBe('已设置；输入新值可替换');
    const save = screen.getByTestId('param-preview') as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    typeInto('param-input-merchant_no', '12345');
    expect((await screen.findByTestId('param-problem-merchant_no')).textContent).toBe('格式不符：[0-9]{15}');
    expect(save.disabled).toBe(true);
    typeInto('param-input-merchant_no', '999999999999999');
    await waitFor(() => expect(screen.queryByTestId('param-problem-merchant_no')).toBeNull());
    typeInto('param-input-timeout', '90');
    typeInto('param-input-tmk', 'secret-key-1');
    fireEvent.click(screen.getByTestId('param-input-tips'));
    fireEvent.click(screen.getByTestId('param-inherit-merchant_no'));
    expect(screen.getByTestId('param-pending-merchant_no').textContent).toBe('将恢复继承');
    fireEvent.change(screen.getByTestId('param-reason'), { target: { value: '新签约' } });
    await waitFor(() => expect(save.disabled).toBe(false));
    expect(screen.getByTestId('param-count').textContent).toBe('待保存的修改：4 项');
    fireEvent.click(save);

    typeInto('preview-serial', 'T-100');
    fireEvent.click(screen.getByTestId('preview-run'));
    const after = await screen.findByTestId('preview-after-timeout');
    expect(after.textContent).toContain('90');
    expect(after.textContent).toContain('来源: 组织 华东代理');
    expect(screen.getByTestId('preview-before-timeout').textContent).toContain('模板默认值');
    expect(screen.getByTestId('preview-after-tmk').textContent).toContain('由组织 收单机构锁定');
    expect(screen.getByTestId('preview-table').textContent).not.toContain('secret-key-1');
    expect(screen.getByTestId('preview-version').textContent).toBe('参数版本 aaaaaaaaaaaaaaaa → bbbbbbbbbbbbbbbb');
    const body = {
      level: 'org', organisation: 1, reason: '新签约',
      changes: [{ key: 'merchant_no', unset: true }, { key: 'timeout', value: 90 }, { key: 'tips', value: true },
                { key: 'tmk', value: 'secret-key-1' }],
    };
    expect(calls.find((c) => c.url.includes('/preview/'))?.body).toEqual({ ...body, terminal: 'T-100' });

    fireEvent.click(screen.getByTestId('preview-save'));
    expect((await screen.findByTestId('param-notice')).textContent).toBe('已保存；终端将在下次联网时收到');
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual(body);
    expect(screen.queryByTestId('param-pending-timeout')).toBeNull();
    expect((screen.getByTestId('param-input-tmk') as HTMLInputElement).value).toBe('');
  });

  it('offers the lock to an administrator and says a locked field\'s refusal in words', async () => {
    const calls = server({ code: 'locked', message: 'mcc is locked at org:1', status: 423 });
    const { container } = render(<Parameters me={{ name: 'admin', role: 'admin' }} />);
    await screen.findByTestId('param-lock-mcc');
    fireEvent.mouseDown(container.querySelector('[data-testid="param-input-mcc"] .ant-select-selector, [data-testid="param-input-mcc"]')!);
    fireEvent.click(await screen.findByTitle('5812'));
    const lock = screen.getByTestId('param-lock-timeout');
    fireEvent.click(lock.tagName === 'INPUT' ? lock : lock.querySelector('input')!);
    await waitFor(() => expect(screen.getByTestId('param-count').textContent).toBe('待保存的修改：2 项'));
    fireEvent.click(screen.getByTestId('param-preview'));
    fireEvent.click(await screen.findByTestId('preview-save'));
    expect((await screen.findByTestId('preview-error')).textContent).toBe('已锁定，不能更改');
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
      level: 'org', organisation: 1, changes: [{ key: 'mcc', value: '5812' }, { key: 'timeout', locked: true }] });
  });

  it('reads a terminal\'s own values through the level picker', async () => {
    const calls = server();
    render(<Parameters me={{ name: 'admin', role: 'admin' }} />);
    await screen.findByTestId('param-level-title');
    fireEvent.click(screen.getByTestId('param-level-terminal'));
    await screen.findByTestId('param-serial');
    typeInto('param-serial', 'T-100');
    fireEvent.click(screen.getByTestId('param-show'));
    await waitFor(() => expect(screen.getByTestId('param-level-title').textContent).toBe('终端 T-100 的值'));
    expect(calls.some((c) => c.url.endsWith('/parameters/values/payment?level=terminal&serial=T-100'))).toBe(true);
    expect(within(screen.getByTestId('param-values')).getByTestId('param-current-merchant_no').textContent).toBe('未设置（继承上级）');
  });

  it('lets an administrator of the acquirer paste a template, and says what is wrong with it', async () => {
    const calls = server();
    render(<Parameters me={{ name: 'admin', role: 'admin', whole_tree: true }} />);
    fireEvent.click(await screen.findByTestId('template-add'));
    fireEvent.change(await screen.findByTestId('template-json'), { target: { value: '{"app": ' } });
    fireEvent.click(screen.getByTestId('template-save'));
    expect((await screen.findByTestId('template-error')).textContent).toBe('不是有效的 JSON 对象');
    const made = { app: 'loyalty', name: '会员', fields: [{ key: 'points', type: 'boolean' }] };
    fireEvent.change(screen.getByTestId('template-json'), { target: { value: JSON.stringify(made) } });
    fireEvent.click(screen.getByTestId('template-save'));
    await waitFor(() => expect(calls.find((c) => c.method === 'POST' && c.url.endsWith('/parameters/templates'))?.body).toEqual(made));
  });

  it('offers no template to a reseller\'s administrator', async () => {
    server();
    render(<Parameters me={{ name: 'east', role: 'admin', whole_tree: false }} />);
    await screen.findByTestId('param-level-title');
    expect(screen.queryByTestId('template-add')).toBeNull();
  });
});
