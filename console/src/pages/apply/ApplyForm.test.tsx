// The application form: every field says what is wrong before anything is
// sent, one message per flaw, in Chinese and English; the card number is
// grouped in fours and a Luhn failure is named; business fields appear only
// for 企业; the SMS code shows the tries left; what the server refuses lands
// on the same fields.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from '../../i18n';
import ApplyForm from './ApplyForm';
import type { CatalogueModel } from './ModelPicker';

const MODELS: CatalogueModel[] = [
  { id: 'M50', kind: 'mobile', name_zh: 'M50 移动收款终端', name_en: 'M50 mobile terminal', text_zh: '手持无线', text_en: 'Handheld' },
  { id: 'F30', kind: 'fixed', name_zh: 'F30 固定收款终端', name_en: 'F30 countertop terminal', text_zh: '收银台', text_en: 'Counter' },
];

function type(testid: string, value: string) {
  fireEvent.change(screen.getByTestId(testid), { target: { value } });
}

function reply(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

// A resident ID with its check character (GB 11643).
function withCheck(first17: string) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  return first17 + '10X98765432'[[...first17].reduce((s, c, i) => s + Number(c) * w[i], 0) % 11];
}

afterEach(async () => {
  vi.restoreAllMocks();
  await i18n.changeLanguage('zh-CN');
});

describe('application form (zh-CN)', () => {
  it('asks for every field before sending anything', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    render(<ApplyForm models={MODELS} onSubmitted={() => undefined} />);
    fireEvent.click(screen.getByTestId('apply-submit'));
    for (const m of ['请输入姓名', '请输入身份证号', '请输入手机号', '请输入结算银行卡号', '请输入开户银行', '请输入收货地址', '请选择终端型号'])
      expect(await screen.findByText(m)).toBeTruthy();
    expect(await screen.findByTestId('apply-error')).toBeTruthy();
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('shows business fields only for 企业', async () => {
    render(<ApplyForm models={MODELS} onSubmitted={() => undefined} />);
    expect(screen.queryByTestId('apply-business-name')).toBeNull();
    expect(screen.queryByTestId('apply-credit-code')).toBeNull();
    fireEvent.click(screen.getByText('企业'));
    expect(await screen.findByTestId('apply-business-name')).toBeTruthy();
    fireEvent.click(screen.getByTestId('apply-submit'));
    expect(await screen.findByText('请输入企业名称')).toBeTruthy();
    expect(await screen.findByText('请输入统一社会信用代码')).toBeTruthy();
    fireEvent.click(screen.getByText('个人'));
    await waitFor(() => expect(screen.queryByTestId('apply-credit-code')).toBeNull());
  });

  it('names each flaw of each number', async () => {
    render(<ApplyForm models={MODELS} onSubmitted={() => undefined} />);
    fireEvent.click(screen.getByText('企业'));
    await screen.findByTestId('apply-credit-code');
    const cases: [string, string, string][] = [
      ['apply-resident-id', '110101199003074478', '身份证号校验位不对，请核对是否输错'],
      ['apply-resident-id', '11010519491231002', '身份证号是 18 位'],
      ['apply-resident-id', '1101051949123100AX', '身份证号前 17 位是数字，最后一位是数字或 X'],
      ['apply-resident-id', '990105194912310023', '身份证号前两位不是内地省份代码，请核对'],
      ['apply-resident-id', '110105194902300021', '身份证号中的出生日期（第 7–14 位）不是有效日期，请核对'],
      ['apply-resident-id', withCheck('11010120180101001'), '申请人须年满 18 周岁'],
      ['apply-credit-code', '91350100M000100Y44', '统一社会信用代码校验位不对，请核对是否输错'],
      ['apply-credit-code', '91350100M000100I43', '统一社会信用代码只含数字和大写字母（不含 I、O、S、V、Z）'],
      ['apply-credit-code', '91350100M000100Y4', '统一社会信用代码是 18 位'],
      ['apply-phone', '12800138000', '请填写内地手机号（13–19 开头）'],
      ['apply-phone', '1380013800', '手机号是 11 位数字'],
      ['apply-phone', '1380013800a', '手机号只能包含数字'],
      ['apply-card', '6228480402564890081', '卡号校验不通过，请核对是否输错'],
      ['apply-card', '41111111111', '银行卡号是 12–19 位数字'],
      ['apply-legal-name', 'a', '姓名至少 2 个字'],
      ['apply-business-name', 'b', '企业名称至少 2 个字'],
      ['apply-bank', 'x', '开户银行至少 2 个字'],
      ['apply-address', 'abc', '收货地址太短，请写到门牌号'],
      ['apply-address', '长'.repeat(201), '收货地址太长（最多 200 个汉字）'],
    ];
    for (const [field, value, message] of cases) {
      type(field, value);
      expect(await screen.findByText(message), `${field} ${value}`).toBeTruthy();
    }
    // Right values clear the messages.
    const hasError = (testid: string) =>
      screen.getByTestId(testid).closest('.ant-form-item')!.classList.contains('ant-form-item-has-error');
    expect(hasError('apply-resident-id')).toBe(true);
    type('apply-resident-id', '11010519491231002x');
    await waitFor(() => expect(hasError('apply-resident-id')).toBe(false));
    type('apply-credit-code', '91350100m000100y43');
    await waitFor(() => expect(hasError('apply-credit-code')).toBe(false));
  });

  it('groups the card number in fours while typing', async () => {
    render(<ApplyForm models={MODELS} onSubmitted={() => undefined} />);
    type('apply-card', '6228480402564890018');
    await waitFor(() => expect((screen.getByTestId('apply-card') as HTMLInputElement).value).toBe('6228 4804 0256 4890 018'));
    type('apply-card', '4111111111111112');
    expect(await screen.findByText('卡号校验不通过，请核对是否输错')).toBeTruthy();
    expect((screen.getByTestId('apply-card') as HTMLInputElement).value).toBe('4111 1111 1111 1112');
  });
});

describe('application form (English)', () => {
  it('says each message in English', async () => {
    await i18n.changeLanguage('en');
    render(<ApplyForm models={MODELS} onSubmitted={() => undefined} />);
    fireEvent.click(screen.getByTestId('apply-submit'));
    for (const m of ['Enter the legal name', 'Enter the resident ID number', 'Enter the mobile number', 'Enter the settlement card number',
                     'Enter the bank', 'Enter the shipping address', 'Choose a terminal model'])
      expect(await screen.findByText(m)).toBeTruthy();
    fireEvent.click(screen.getByText('Business'));
    await screen.findByTestId('apply-credit-code');
    const cases: [string, string, string][] = [
      ['apply-resident-id', '110101199003074478', 'The check character does not match; please check for a typo'],
      ['apply-resident-id', '990105194912310023', 'The first two digits are not a mainland province code; please check'],
      ['apply-credit-code', '91350100M000100I43', 'Only digits and capital letters (without I, O, S, V, Z)'],
      ['apply-phone', '23800138000', 'Enter a mainland mobile number (starting 13–19)'],
      ['apply-card', '6228480402564890081', 'The card number fails its check (Luhn); please check for a typo'],
      ['apply-address', 'abc', 'The address is too short; include the street and number'],
    ];
    for (const [field, value, message] of cases) {
      type(field, value);
      expect(await screen.findByText(message), `${field} ${value}`).toBeTruthy();
    }
  });
});

describe('application form and the server', () => {
  function fillValid() {
    type('apply-legal-name', '张三');
    type('apply-resident-id', '110101199003074477');
    type('apply-card', '6228480402564890018');
    type('apply-bank', '中国农业银行');
    type('apply-address', '北京市东城区东四北大街 1 号');
    fireEvent.click(screen.getByTestId('model-M50'));
  }

  it('verifies the phone (tries left shown), then shows the server’s field errors on the fields', async () => {
    const calls: [string, unknown][] = [];
    const answers: Response[] = [
      reply(201, { id: 9, expires_in: 300 }),
      reply(400, { error: { code: 'wrong_code', message: 'wrong code; 4 tries left' } }),
      reply(200, { verified: true }),
      reply(400, { error: { code: 'invalid_argument', message: 'some fields need correcting',
                            fields: { resident_id: 'underage', bank: 'too_long', model: 'unknown_model' } } }),
    ];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (url, init) => {
      calls.push([String(url), init?.body ? JSON.parse(String(init.body)) : null]);
      return answers.shift()!;
    });
    const onSubmitted = vi.fn();
    render(<ApplyForm models={MODELS} onSubmitted={onSubmitted} />);
    fillValid();
    // Without a verified phone nothing is sent.
    type('apply-phone', '13800138000');
    fireEvent.click(screen.getByTestId('apply-submit'));
    expect(await screen.findByText('手机号尚未验证，请获取并填写短信验证码')).toBeTruthy();
    expect(calls).toHaveLength(0);

    fireEvent.click(screen.getByTestId('apply-get-code'));
    expect(await screen.findByText('60 秒后重新获取')).toBeTruthy();
    expect(calls[0]).toEqual(['/api/v1/public/phone-codes', { phone: '13800138000' }]);
    type('apply-code', '12345');
    fireEvent.click(screen.getByTestId('apply-confirm-code'));
    expect(await screen.findByText('验证码是 6 位数字')).toBeTruthy();
    type('apply-code', '000000');
    fireEvent.click(screen.getByTestId('apply-confirm-code'));
    expect(await screen.findByText('验证码不正确，还可尝试 4 次')).toBeTruthy();
    type('apply-code', '123456');
    fireEvent.click(screen.getByTestId('apply-confirm-code'));
    expect(await screen.findByTestId('phone-verified')).toBeTruthy();
    expect(calls[2]).toEqual(['/api/v1/public/phone-codes/9/confirm', { code: '123456' }]);

    fireEvent.click(screen.getByTestId('apply-submit'));
    expect(await screen.findByText('申请人须年满 18 周岁')).toBeTruthy();
    expect(await screen.findByText('开户银行名称太长（最多 50 个汉字）')).toBeTruthy();
    expect(await screen.findByText('该型号已下架，请重新选择')).toBeTruthy();
    expect(calls[3][1]).toEqual({
      kind: 'individual', legal_name: '张三', resident_id: '110101199003074477', business_name: '', credit_code: '',
      phone: '13800138000', phone_code_id: 9, card: '6228480402564890018', bank: '中国农业银行',
      address: '北京市东城区东四北大街 1 号', model: 'M50',
    });
    expect(onSubmitted).not.toHaveBeenCalled();
  });

  it('says clearly when the same person already applied', async () => {
    const answers = [
      reply(201, { id: 3, expires_in: 300 }),
      reply(200, { verified: true }),
      reply(409, { error: { code: 'conflict', message: 'an application with this resident ID is already in progress' } }),
    ];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => answers.shift()!);
    render(<ApplyForm models={MODELS} onSubmitted={() => undefined} />);
    fillValid();
    type('apply-phone', '13800138000');
    fireEvent.click(screen.getByTestId('apply-get-code'));
    await screen.findByTestId('code-sent');
    type('apply-code', '123456');
    fireEvent.click(screen.getByTestId('apply-confirm-code'));
    await screen.findByTestId('phone-verified');
    fireEvent.click(screen.getByTestId('apply-submit'));
    expect((await screen.findByTestId('apply-error')).textContent).toContain('该身份证号已有一份正在处理的申请');
    // The code was spent on that attempt: the number must be verified again.
    await waitFor(() => expect(screen.queryByTestId('phone-verified')).toBeNull());
  });
});
