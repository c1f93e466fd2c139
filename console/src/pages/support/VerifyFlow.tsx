// The identity-verification steps of the support desk, for one terminal's
// merchant: 1) legal name + last 4 of the resident ID → the server sends a
// one-time code by SMS; 2) the 6-digit code (tries left and expiry shown);
// 3) the update mode changed on the merchant's behalf, with a reason, and the
// unlock code of each of the merchant's locked terminals (UnlockCodes). The
// server holds the rules (5-minute code, 5 tries, 15 minutes to act, only the
// mode); the forms here catch mistakes before anything is sent.
import { useState } from 'react';
import { Alert, Button, Form, Input, Radio, Space, Steps, Typography } from 'antd';
import type { Rule } from 'antd/es/form';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api';
import { errorText } from '../../common/errors';
import { REASON_MAX } from '../../common/rules';
import { formatTime } from '../../common/time';
import UnlockCodes from './UnlockCodes';

export const CODE_TRIES = 5;

export function nameRules(t: TFunction): Rule[] {
  return [{ required: true, whitespace: true, message: t('nameRequired') }];
}
export function last4Rules(t: TFunction): Rule[] {
  return [
    { required: true, message: t('last4Required') },
    { pattern: /^[0-9Xx]{4}$/, message: t('last4Invalid') },
  ];
}
export function codeRules(t: TFunction): Rule[] {
  return [
    { required: true, message: t('codeRequired') },
    { pattern: /^\d{6}$/, message: t('codeInvalid') },
  ];
}

interface Verification {
  id: number;
  merchant_id: number;
  status: string;
  attempts: number;
  code_expires: string;
  verified_until: string | null;
  code_sent_to?: string;
}

const SUPPORT_CODES = ['identity_mismatch', 'wrong_code', 'code_used_up', 'code_expired', 'other_agent', 'not_verified'];

// A refused step in the user's language; the server's own words otherwise.
export function supportError(t: TFunction, ts: TFunction, e: unknown): string {
  if (e instanceof ApiError) {
    if (SUPPORT_CODES.includes(e.code)) return ts(`err_${e.code}`, { n: e.details.tries_left ?? 0 });
    if (e.code === 'too_many_requests') return ts('err_too_many');
  }
  return errorText(t, e);
}

export default function VerifyFlow({ serial, onChanged }: { serial: string; onChanged?: () => void }) {
  const { t } = useTranslation();
  const { t: ts, i18n } = useTranslation('support');
  const [step, setStep] = useState(0);
  const [v, setV] = useState<Verification | null>(null);
  const [triesLeft, setTriesLeft] = useState(CODE_TRIES);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);

  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError('');
    try {
      await f();
    } catch (e) {
      setError(supportError(t, ts, e));
      if (e instanceof ApiError && typeof e.details.tries_left === 'number') setTriesLeft(e.details.tries_left);
      if (e instanceof ApiError && ['code_used_up', 'code_expired', 'other_agent', 'not_verified'].includes(e.code))
        setStep(0);
    } finally {
      setBusy(false);
    }
  };

  const identify = (values: { legal_name: string; id_last4: string }) =>
    run(async () => {
      const r = await api<Verification>('POST', '/support/verifications', {
        terminal: serial,
        legal_name: values.legal_name.trim(),
        id_last4: values.id_last4.toUpperCase(),
      });
      setV(r);
      setTriesLeft(CODE_TRIES - r.attempts);
      setStep(1);
    });

  const confirm = (values: { code: string }) =>
    run(async () => {
      const r = await api<Verification>('POST', `/support/verifications/${v!.id}/code`, { code: values.code });
      setV({ ...v!, ...r });
      setStep(2);
    });

  const change = (values: { mode: string; reason: string }) =>
    run(async () => {
      const r = await api<{ terminals: string[] }>('POST', `/support/verifications/${v!.id}/policy`, {
        mode: values.mode,
        reason: values.reason.trim(),
      });
      setDone(ts('changed', { serials: r.terminals.join(', ') }));
      onChanged?.();
    });

  const restart = () => {
    setStep(0);
    setV(null);
    setDone('');
    setError('');
  };

  return (
    <div data-testid="verify-flow">
      <Steps
        size="small"
        current={step}
        style={{ marginBottom: 16 }}
        items={[{ title: ts('step_identity') }, { title: ts('step_code') }, { title: ts('step_change') }]}
      />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="verify-error" />}
      {step === 0 && (
        <Form layout="vertical" onFinish={identify} data-testid="verify-identity-form">
          <Typography.Paragraph type="secondary">{ts('identityHelp')}</Typography.Paragraph>
          <Form.Item name="legal_name" label={ts('legalName')} rules={nameRules(ts)}>
            <Input data-testid="verify-name" autoComplete="off" />
          </Form.Item>
          <Form.Item name="id_last4" label={ts('idLast4')} rules={last4Rules(ts)}>
            <Input data-testid="verify-last4" maxLength={4} autoComplete="off" style={{ width: 160 }} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="verify-send">
            {ts('sendCode')}
          </Button>
        </Form>
      )}
      {step === 1 && v && (
        <Form layout="vertical" onFinish={confirm} data-testid="verify-code-form">
          <Alert
            type="info"
            style={{ marginBottom: 12 }}
            title={ts('codeSentTo', { phone: v.code_sent_to ?? '' })}
            description={
              <>
                <div data-testid="verify-tries">{ts('triesLeft', { n: triesLeft })}</div>
                <div data-testid="verify-expires">
                  {ts('expiresAt', { time: formatTime(v.code_expires, i18n.language) })}
                </div>
              </>
            }
          />
          <Typography.Paragraph type="secondary">{ts('codeHelp')}</Typography.Paragraph>
          <Form.Item name="code" label={ts('code')} rules={codeRules(ts)}>
            <Input data-testid="verify-code" maxLength={6} inputMode="numeric" autoComplete="one-time-code" style={{ width: 160 }} />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="verify-check">
              {ts('checkCode')}
            </Button>
            <Button onClick={restart}>{ts('restart')}</Button>
          </Space>
        </Form>
      )}
      {step === 2 && v && (
        <Form layout="vertical" onFinish={change} data-testid="verify-change-form">
          <Alert
            type="success"
            style={{ marginBottom: 12 }}
            data-testid="verify-ok"
            title={ts('verifiedUntil', { time: formatTime(v.verified_until, i18n.language) })}
          />
          <UnlockCodes
            verification={v.id}
            merchant={v.merchant_id}
            onLapsed={() => {
              restart();
              setError(ts('err_not_verified'));
            }}
          />
          <Typography.Paragraph type="secondary">{ts('modeOnly')}</Typography.Paragraph>
          <Form.Item name="mode" label={ts('newMode')} rules={[{ required: true, message: ts('modeRequired') }]}>
            <Radio.Group
              optionType="button"
              data-testid="verify-mode"
              options={['auto', 'manual', 'never'].map((m) => ({ value: m, label: ts(`mode_${m}`) }))}
            />
          </Form.Item>
          <Form.Item
            name="reason"
            label={ts('reason')}
            rules={[
              { required: true, whitespace: true, message: ts('reasonRequired') },
              { max: REASON_MAX, message: ts('reasonTooLong', { max: REASON_MAX }) },
            ]}
          >
            <Input data-testid="verify-reason" />
          </Form.Item>
          {done && <Alert type="success" showIcon title={done} style={{ marginBottom: 12 }} data-testid="verify-done" />}
          <Space>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="verify-apply">
              {ts('applyChange')}
            </Button>
            <Button onClick={restart}>{ts('restart')}</Button>
          </Space>
        </Form>
      )}
    </div>
  );
}
