// The mobile number and its SMS code, inside the application form: "获取验证码"
// sends a code (then counts down 60 s, the server's one-code-a-minute rule),
// "验证" checks it (a wrong one says how many tries are left) and a ✓ shows
// the number is verified. Changing the number afterwards needs a new code.
import { useEffect, useState } from 'react';
import { Button, Form, Input, Typography } from 'antd';
import { CheckCircleFilled } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { api, ApiError } from '../../api';
import { errorText } from '../../common/errors';
import { mobileDigits } from '../../common/identityNumbers';
import { fieldRules, flawText } from './fields';

export const RESEND_SECONDS = 60;

// A code the server sent to `phone` (11 digits), and whether it was typed right.
export interface PhoneCode {
  id: number;
  phone: string;
  verified: boolean;
}

export function isVerified(code: PhoneCode | null, phone: string | undefined): boolean {
  return !!code && code.verified && code.phone === mobileDigits(phone ?? '');
}

// Why the server refused a typed code, in the user's language.
function codeError(t: TFunction, ta: TFunction, e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === 'wrong_code') {
      const left = e.message.match(/(\d+) tries left/);
      if (left) return ta('code_wrong', { n: Number(left[1]) });
      if (e.message.includes('expired')) return ta('code_expired');
      return ta('code_used_up');
    }
    if (e.status === 404) return ta('code_unknown');
    if (e.status === 429) return ta('tooOften');
  }
  return errorText(t, e);
}

interface Props {
  code: PhoneCode | null;
  onCode: (c: PhoneCode | null) => void;
}

export default function PhoneVerify({ code, onCode }: Props) {
  const { t } = useTranslation();
  const { t: ta } = useTranslation('apply');
  const form = Form.useFormInstance();
  const phone = Form.useWatch('phone', form) as string | undefined;
  const [countdown, setCountdown] = useState(0);
  const [busy, setBusy] = useState<'' | 'send' | 'confirm'>('');
  const verified = isVerified(code, phone);

  useEffect(() => {
    if (countdown <= 0) return;
    const id = setTimeout(() => setCountdown((n) => n - 1), 1000);
    return () => clearTimeout(id);
  }, [countdown]);

  // A code belongs to one number: a changed number needs a new one.
  useEffect(() => {
    if (code && code.phone !== mobileDigits(phone ?? '')) onCode(null);
  }, [phone, code, onCode]);

  const send = async () => {
    try {
      await form.validateFields(['phone']);
    } catch {
      return;
    }
    const typed = String(form.getFieldValue('phone') ?? '');
    setBusy('send');
    try {
      const r = await api<{ id: number }>('POST', '/public/phone-codes', { phone: mobileDigits(typed) });
      onCode({ id: r.id, phone: mobileDigits(typed), verified: false });
      form.setFields([{ name: 'code', value: '', errors: [] }]);
      setCountdown(RESEND_SECONDS);
    } catch (e) {
      let message = errorText(t, e);
      if (e instanceof ApiError && e.status === 429) {
        message = ta('tooOften');
        setCountdown(RESEND_SECONDS);
      } else if (e instanceof ApiError && e.code === 'invalid_argument') {
        const flaw = e.message.match(/\((\w+)\)/);
        if (flaw) message = flawText(ta, 'phone', flaw[1]);
      }
      form.setFields([{ name: 'phone', errors: [message] }]);
    } finally {
      setBusy('');
    }
  };

  const confirm = async () => {
    const typed = String(form.getFieldValue('code') ?? '').trim();
    if (!code) return form.setFields([{ name: 'code', errors: [ta('phone_not_verified')] }]);
    if (!/^\d{6}$/.test(typed))
      return form.setFields([{ name: 'code', errors: [ta(typed ? 'code_invalid' : 'code_required')] }]);
    setBusy('confirm');
    try {
      await api('POST', `/public/phone-codes/${code.id}/confirm`, { code: typed });
      onCode({ ...code, verified: true });
      form.setFields([{ name: 'code', errors: [] }, { name: 'phone', errors: [] }]);
    } catch (e) {
      form.setFields([{ name: 'code', errors: [codeError(t, ta, e)] }]);
    } finally {
      setBusy('');
    }
  };

  return (
    <>
      {/* The label wraps the field and its button; the field shows its own errors. */}
      <Form.Item label={ta('phone')} required style={{ marginBottom: 0 }}>
        <div style={{ display: 'flex', gap: 8 }}>
          <Form.Item name="phone" rules={fieldRules(ta, 'phone')} style={{ flex: 1, minWidth: 0 }}>
            <Input inputMode="tel" autoComplete="tel" maxLength={20} data-testid="apply-phone" />
          </Form.Item>
          <Button onClick={send} loading={busy === 'send'} disabled={countdown > 0} data-testid="apply-get-code">
            {countdown > 0 ? ta('resendIn', { n: countdown }) : ta('getCode')}
          </Button>
        </div>
      </Form.Item>
      <Form.Item label={ta('code')} required style={{ marginBottom: 0 }}>
        <div style={{ display: 'flex', gap: 8, maxWidth: 360 }}>
          <Form.Item
            name="code"
            style={{ flex: 1, minWidth: 0 }}
            // Checked on submit and by "验证" only, so the server's answer stays until the next try.
            validateTrigger={[]}
            extra={
              verified ? (
                <Typography.Text type="success" data-testid="phone-verified">
                  <CheckCircleFilled /> {ta('codeVerified')}
                </Typography.Text>
              ) : (
                code && <span data-testid="code-sent">{ta('codeSent')}</span>
              )
            }
            rules={[
              {
                validator: (_, v: string | undefined) => {
                  if (isVerified(code, form.getFieldValue('phone'))) return Promise.resolve();
                  const typed = (v ?? '').trim();
                  if (!code) return Promise.reject(new Error(ta('phone_not_verified')));
                  if (!typed) return Promise.reject(new Error(ta('code_required')));
                  if (!/^\d{6}$/.test(typed)) return Promise.reject(new Error(ta('code_invalid')));
                  return Promise.reject(new Error(ta('code_unconfirmed')));
                },
              },
            ]}
          >
            <Input
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              disabled={verified}
              suffix={verified ? <CheckCircleFilled style={{ color: '#52c41a' }} data-testid="code-check" /> : <span />}
              data-testid="apply-code"
            />
          </Form.Item>
          <Button onClick={confirm} loading={busy === 'confirm'} disabled={verified || !code} data-testid="apply-confirm-code">
            {ta('confirmCode')}
          </Button>
        </div>
      </Form.Item>
    </>
  );
}
