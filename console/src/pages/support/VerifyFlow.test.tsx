// The identity-verification form: legal name and the last 4 characters of
// the resident ID are required, the last 4 are digits or X, the code is 6
// digits — each in the user's language and before anything is sent; a wrong
// code shows the tries left that the server counts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import i18n from '../../i18n';
import VerifyFlow from './VerifyFlow';

function type(testid: string, value: string) {
  fireEvent.change(screen.getByTestId(testid), { target: { value } });
}

function reply(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

const SENT = { id: 7, merchant_id: 1, status: 'code_sent', attempts: 0, code_expires: '2026-11-24T08:05:00Z',
               verified_until: null, code_sent_to: '138****8000' };

afterEach(async () => {
  vi.restoreAllMocks();
  await i18n.changeLanguage('zh-CN');
});

describe('identity verification form', () => {
  it('asks for the name and the last 4 before sending anything (zh-CN)', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    render(<VerifyFlow serial="PF1" />);
    fireEvent.click(screen.getByTestId('verify-send'));
    expect(await screen.findByText('请输入商户的法定名称')).toBeTruthy();
    expect(await screen.findByText('请输入身份证号后 4 位')).toBeTruthy();
    type('verify-last4', '12a4');
    expect(await screen.findByText('后 4 位只能是数字或 X，共 4 位')).toBeTruthy();
    type('verify-last4', '123');
    expect(await screen.findByText('后 4 位只能是数字或 X，共 4 位')).toBeTruthy();
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('accepts digits with an X, then wants a 6-digit code and shows the tries left', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(reply(201, SENT));
    render(<VerifyFlow serial="PF1" />);
    type('verify-name', '张三');
    type('verify-last4', '002x');
    fireEvent.click(screen.getByTestId('verify-send'));
    expect(await screen.findByText('验证码已发送至 138****8000')).toBeTruthy();
    const sent = JSON.parse(String(fetchSpy.mock.calls[0][1]?.body));
    expect(sent).toEqual({ terminal: 'PF1', legal_name: '张三', id_last4: '002X' });
    expect(screen.getByTestId('verify-tries').textContent).toBe('还可尝试 5 次');

    type('verify-code', '12345');
    fireEvent.click(screen.getByTestId('verify-check'));
    expect(await screen.findByText('验证码是 6 位数字')).toBeTruthy();
    type('verify-code', '12345a');
    expect(await screen.findByText('验证码是 6 位数字')).toBeTruthy();
    expect(fetchSpy).toHaveBeenCalledTimes(1);

    fetchSpy.mockResolvedValueOnce(reply(403, { error: { code: 'wrong_code', message: 'wrong code; 4 tries left', tries_left: 4 } }));
    type('verify-code', '000000');
    fireEvent.click(screen.getByTestId('verify-check'));
    expect((await screen.findByTestId('verify-error')).textContent).toContain('验证码不正确，还可尝试 4 次');
    expect(screen.getByTestId('verify-tries').textContent).toBe('还可尝试 4 次');
  });

  it('says the same in English', async () => {
    await i18n.changeLanguage('en');
    vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(reply(201, SENT));
    render(<VerifyFlow serial="PF1" />);
    fireEvent.click(screen.getByTestId('verify-send'));
    expect(await screen.findByText('Enter the merchant’s legal name')).toBeTruthy();
    expect(await screen.findByText('Enter the last 4 characters of the resident ID')).toBeTruthy();
    type('verify-last4', 'ABCD');
    expect(await screen.findByText('The last 4 are digits or X, exactly 4 characters')).toBeTruthy();
    type('verify-name', 'Zhang San');
    type('verify-last4', '002X');
    fireEvent.click(screen.getByTestId('verify-send'));
    expect(await screen.findByText('5 tries left')).toBeTruthy();
    type('verify-code', '99');
    fireEvent.click(screen.getByTestId('verify-check'));
    expect(await screen.findByText('The code is 6 digits')).toBeTruthy();
  });

  it('explains a name that does not match, in the user’s language', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(
      reply(403, { error: { code: 'identity_mismatch', message: 'identity not verified' } }),
    );
    render(<VerifyFlow serial="PF1" />);
    type('verify-name', '李四');
    type('verify-last4', '002X');
    fireEvent.click(screen.getByTestId('verify-send'));
    expect((await screen.findByTestId('verify-error')).textContent).toContain('身份核对未通过');
  });
});
