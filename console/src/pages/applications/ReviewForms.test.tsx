// The reviewer's forms: approving needs 1-10 well-formed, distinct serials
// and a reason; rejecting needs a reason; shipping needs carrier and
// tracking — in Chinese and English, before anything is sent. What is sent
// is the parsed list.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from '../../i18n';
import { ApproveForm, parseSerials, RejectForm, ShippingForm } from './ReviewForms';
import type { Application } from './types';

const APP = { id: 4, number: 'PA23456789', model: 'M50', status: 'submitted' } as Application;

function type(testid: string, value: string) {
  fireEvent.change(screen.getByTestId(testid), { target: { value } });
}

function reply(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

afterEach(async () => {
  vi.restoreAllMocks();
  await i18n.changeLanguage('zh-CN');
});

describe('approve form', () => {
  it('wants serials and a reason, each serial well formed and once (zh-CN)', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    render(<ApproveForm app={APP} onDone={() => undefined} />);
    expect(screen.getByText('终端序列号（型号 M50）')).toBeTruthy();
    fireEvent.click(screen.getByTestId('approve-submit'));
    expect(await screen.findByText('请填写至少一个终端序列号')).toBeTruthy();
    expect(await screen.findByText('请填写通过的理由，如：资料齐全')).toBeTruthy();
    type('approve-serials', 'M50A0001 bad/serial');
    expect(await screen.findByText('序列号“bad/serial”只能包含字母、数字、“.”、“_”或“-”，最多 64 位')).toBeTruthy();
    type('approve-serials', 'M50A0001, M50A0001');
    expect(await screen.findByText('序列号“M50A0001”重复了')).toBeTruthy();
    type('approve-serials', Array.from({ length: 11 }, (_, i) => `M50A${i}`).join(','));
    expect(await screen.findByText('一次最多分配 10 台终端')).toBeTruthy();
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('sends the parsed serials and hands back the activation codes', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(
      reply(200, { ...APP, status: 'approved', activation_codes: [{ serial: 'M50A0001', code: 'ABCD-EFGH-JKMN' },
                                                                  { serial: 'M50A0002', code: 'PQRS-TUVW-XY23' }] }),
    );
    const onDone = vi.fn();
    render(<ApproveForm app={APP} onDone={onDone} />);
    type('approve-serials', 'M50A0001，M50A0002 ');
    type('approve-reason', ' 资料齐全 ');
    fireEvent.click(screen.getByTestId('approve-submit'));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const [url, init] = fetchSpy.mock.calls[0];
    expect(url).toBe('/api/v1/applications/4/approve');
    expect(JSON.parse(String(init?.body))).toEqual({ serials: ['M50A0001', 'M50A0002'], reason: '资料齐全' });
    expect(onDone.mock.calls[0][1]).toHaveLength(2);
  });

  it('shows the server’s refusal', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(
      reply(409, { error: { code: 'conflict', message: 'terminal M50A0001 is already registered; assign another one' } }),
    );
    render(<ApproveForm app={APP} onDone={() => undefined} />);
    type('approve-serials', 'M50A0001');
    type('approve-reason', '资料齐全');
    fireEvent.click(screen.getByTestId('approve-submit'));
    expect((await screen.findByTestId('approve-error')).textContent).toContain('序列号 M50A0001 中有已登记的终端');
  });

  it('says the same in English', async () => {
    await i18n.changeLanguage('en');
    render(<ApproveForm app={APP} onDone={() => undefined} />);
    fireEvent.click(screen.getByTestId('approve-submit'));
    expect(await screen.findByText('Enter at least one terminal serial')).toBeTruthy();
    expect(await screen.findByText('Say why you approve, e.g. documents complete')).toBeTruthy();
    type('approve-serials', 'A1 A1');
    expect(await screen.findByText('Serial “A1” is listed twice')).toBeTruthy();
  });

  it('parses serials separated by commas, spaces or Chinese punctuation', () => {
    expect(parseSerials(' A1,A2  A3，A4、A5\nA6 ')).toEqual(['A1', 'A2', 'A3', 'A4', 'A5', 'A6']);
    expect(parseSerials('')).toEqual([]);
  });
});

describe('reject form', () => {
  it('needs a reason, not only spaces', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    render(<RejectForm app={APP} onDone={() => undefined} />);
    fireEvent.click(screen.getByTestId('reject-submit'));
    expect(await screen.findByText('请填写驳回原因，申请人会收到这条短信')).toBeTruthy();
    type('reject-reason', '   ');
    fireEvent.click(screen.getByTestId('reject-submit'));
    expect(await screen.findByText('请填写驳回原因，申请人会收到这条短信')).toBeTruthy();
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('sends the reason', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(reply(200, { ...APP, status: 'rejected' }));
    const onDone = vi.fn();
    render(<RejectForm app={APP} onDone={onDone} />);
    type('reject-reason', '地址不完整，请补充门牌号');
    fireEvent.click(screen.getByTestId('reject-submit'));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(JSON.parse(String(fetchSpy.mock.calls[0][1]?.body))).toEqual({ reason: '地址不完整，请补充门牌号' });
  });

  it('says so in English', async () => {
    await i18n.changeLanguage('en');
    render(<RejectForm app={APP} onDone={() => undefined} />);
    fireEvent.click(screen.getByTestId('reject-submit'));
    expect(await screen.findByText('Give the reason; the applicant is sent it by SMS')).toBeTruthy();
  });
});

describe('shipping form', () => {
  it('needs carrier and tracking number', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    render(<ShippingForm app={{ ...APP, status: 'approved' }} onDone={() => undefined} />);
    fireEvent.click(screen.getByTestId('ship-submit'));
    expect(await screen.findByText('请填写快递公司')).toBeTruthy();
    expect(await screen.findByText('请填写运单号')).toBeTruthy();
    type('ship-tracking', 'SF'.repeat(31));
    expect(await screen.findByText('最多 60 个字符（20 个汉字）')).toBeTruthy();
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});
