// The unlock code on the support desk: once the merchant is verified, each of their locked
// terminals (and only those) offers 获取解锁码; a reason is required before anything is sent;
// the code is shown once, large, with a note to read it to the merchant and that it is audited,
// and is gone when the dialog closes. A lapsed check sends the agent back to verify again, and
// does not log them out. Nothing is shown when no terminal is locked.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from '../../i18n';
import { onSessionLost } from '../../api';
import UnlockCodes from './UnlockCodes';
import VerifyFlow from './VerifyFlow';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });

const merchant = { id: 3, legal_name: '张三', phone: '138****8000', resident_id: '110105********002X',
  terminals: [{ serial: 'PF1', model: 'A920', version: '1.0.0', group: '' },
              { serial: 'PF2', model: 'A920', version: '1.0.0', group: '' }] };
const locked = { serial: 'PF1', locked: true, state: 'locked', id: 9, reason: '商户报失', locked_by: 'admin',
                 locked_at: '2026-11-24T08:00:00Z', ended_at: null, ended_by: '', ended_how: '', code_issued_at: null,
                 code_issued_by: '' };
const CODE = 'ABCD-EFGH-JKMN';

// The merchant, their terminals' locks (PF1 locked unless `none`), the session, and the code
// route answering `code()`.
function server(code: () => Response, none = false) {
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = String(input);
    if (url.endsWith('/merchants/3')) return json(merchant);
    if (url.endsWith('/terminals/PF1/lock')) return json(none ? { serial: 'PF1', locked: false, state: null } : locked);
    if (url.endsWith('/terminals/PF2/lock')) return json({ serial: 'PF2', locked: false, state: null });
    if (url.endsWith('/session')) return json({ name: 'amy', role: 'support' });
    if (url.endsWith('/unlock-code') && init?.method === 'POST') return code();
    throw new Error('unexpected ' + url);
  });
}

const codeCalls = (spy: ReturnType<typeof server>) =>
  spy.mock.calls.filter(([url]) => String(url).endsWith('/unlock-code'))
    .map(([url, init]) => [String(url), JSON.parse(String(init?.body))]);

afterEach(async () => {
  vi.restoreAllMocks();
  await i18n.changeLanguage('zh-CN');
});

describe('unlock codes on the support desk', () => {
  it('offers the code for a locked terminal only, asks why, and shows the code once', async () => {
    const spy = server(() => json({ serial: 'PF1', code: CODE }));
    render(<UnlockCodes verification={7} merchant={3} onLapsed={() => undefined} />);
    const row = await screen.findByTestId('unlock-row-PF1');
    expect(row.textContent).toContain('终端已锁定');
    expect(row.textContent).toContain('商户报失');
    expect(screen.queryByTestId('unlock-row-PF2')).toBeNull();
    fireEvent.click(screen.getByTestId('unlock-get-PF1'));
    fireEvent.click(await screen.findByTestId('unlock-ok'));
    expect(await screen.findByText('请填写原因，例如商户的请求')).toBeTruthy();
    expect(codeCalls(spy)).toEqual([]);
    fireEvent.change(screen.getByTestId('unlock-reason'), { target: { value: ' 商户来电，已找回终端 ' } });
    fireEvent.click(screen.getByTestId('unlock-ok'));
    expect((await screen.findByTestId('unlock-code')).textContent).toBe(CODE);
    expect(codeCalls(spy)).toEqual([['/api/v1/support/verifications/7/unlock-code',
                                      { serial: 'PF1', reason: '商户来电，已找回终端' }]]);
    const note = screen.getByTestId('unlock-read-out').textContent;
    expect(note).toContain('读给商户');
    expect(note).toContain('只显示这一次');
    expect(note).toContain('审计日志');
    fireEvent.click(screen.getByTestId('unlock-done'));
    await waitFor(() => expect(screen.queryByTestId('unlock-code')).toBeNull());
    expect(document.body.textContent).not.toContain(CODE);
  }, 60000);

  it('says so in English when the terminal is no longer locked', async () => {
    await i18n.changeLanguage('en');
    server(() => json({ error: { code: 'wrong_state', message: 'terminal PF1 is not locked' } }, 409));
    render(<UnlockCodes verification={7} merchant={3} onLapsed={() => undefined} />);
    fireEvent.click(await screen.findByTestId('unlock-get-PF1'));
    expect((await screen.findByTestId('unlock-dialog')).textContent).toContain('Unlock code for terminal PF1');
    fireEvent.change(screen.getByTestId('unlock-reason'), { target: { value: 'merchant called' } });
    fireEvent.click(screen.getByTestId('unlock-ok'));
    expect((await screen.findByTestId('unlock-error')).textContent).toContain('This terminal is no longer locked');
    expect(screen.queryByTestId('unlock-code')).toBeNull();
  }, 60000);

  it('shows nothing when none of the merchant\'s terminals is locked', async () => {
    const spy = server(() => json({}), true);
    const { container } = render(<UnlockCodes verification={7} merchant={3} onLapsed={() => undefined} />);
    await waitFor(() => expect(spy.mock.calls.some(([url]) => String(url).endsWith('/PF2/lock'))).toBe(true));
    await new Promise((r) => setTimeout(r, 50));
    expect(container.textContent).toBe('');
  }, 60000);

  it('sends the agent back to verify when the check has lapsed, without logging them out', async () => {
    const lost = vi.fn();
    onSessionLost(lost);
    const spy = server(() => json({ error: { code: 'unauthorized', message: 'the verification has expired' } }, 401));
    spy.mockImplementationOnce(async () => json({ id: 7, merchant_id: 3, status: 'code_sent', attempts: 0,
                                                  code_expires: '2026-11-24T08:05:00Z', verified_until: null,
                                                  code_sent_to: '138****8000' }, 201))
      .mockImplementationOnce(async () => json({ id: 7, merchant_id: 3, status: 'verified', attempts: 1,
                                                 code_expires: '2026-11-24T08:05:00Z',
                                                 verified_until: '2026-11-24T08:20:00Z' }));
    render(<VerifyFlow serial="PF1" />);
    fireEvent.change(screen.getByTestId('verify-name'), { target: { value: '张三' } });
    fireEvent.change(screen.getByTestId('verify-last4'), { target: { value: '002X' } });
    fireEvent.click(screen.getByTestId('verify-send'));
    fireEvent.change(await screen.findByTestId('verify-code'), { target: { value: '123456' } });
    fireEvent.click(screen.getByTestId('verify-check'));
    fireEvent.click(await screen.findByTestId('unlock-get-PF1'));
    fireEvent.change(await screen.findByTestId('unlock-reason'), { target: { value: '商户来电' } });
    fireEvent.click(screen.getByTestId('unlock-ok'));
    expect((await screen.findByTestId('verify-error')).textContent).toContain('核实已失效');
    expect(screen.getByTestId('verify-identity-form')).toBeTruthy();
    expect(screen.queryByTestId('unlock-dialog')).toBeNull();
    await waitFor(() => expect(spy.mock.calls.some(([url]) => String(url).endsWith('/session'))).toBe(true));
    await new Promise((r) => setTimeout(r, 50));
    expect(lost).not.toHaveBeenCalled();
  }, 60000);
});
