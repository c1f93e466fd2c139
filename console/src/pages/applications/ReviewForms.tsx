// The reviewer's three decisions on an application, each a small form with
// the server's rules: approve (1-10 serials of the chosen model and a reason),
// reject (a reason, sent to the applicant by SMS), record shipping (carrier
// and tracking number).
import { useState } from 'react';
import { Alert, Button, Form, Input, Tag } from 'antd';
import type { Rule } from 'antd/es/form';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api';
import { errorText } from '../../common/errors';
import { REASON_MAX } from '../../common/rules';
import { utf8Length } from '../../common/identityNumbers';
import type { Application } from './types';

export const MAX_TERMINALS = 10; // the server's kMaxTerminalsPerApplication
const SHIPPING_MAX = 60; // bytes, as the server counts

// "A1, A2  A3" → ["A1", "A2", "A3"].
export function parseSerials(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,，、;；]+/).filter(Boolean);
}

export function serialRules(t: TFunction): Rule[] {
  return [
    {
      validator: (_, v: string | undefined) => {
        const serials = parseSerials(v);
        const fail = (m: string) => Promise.reject(new Error(m));
        if (!serials.length) return fail(t('serialsRequired'));
        if (serials.length > MAX_TERMINALS) return fail(t('serialsTooMany', { max: MAX_TERMINALS }));
        const bad = serials.find((s) => !/^[A-Za-z0-9._-]{1,64}$/.test(s));
        if (bad) return fail(t('serialInvalid', { serial: bad }));
        const twice = serials.find((s, i) => serials.indexOf(s) !== i);
        if (twice) return fail(t('serialTwice', { serial: twice }));
        return Promise.resolve();
      },
    },
  ];
}

function reasonRules(t: TFunction, required: string): Rule[] {
  return [
    { required: true, whitespace: true, message: t(required) },
    { max: REASON_MAX, message: t('reasonTooLong', { max: REASON_MAX }) },
  ];
}

function shortRules(t: TFunction, required: string): Rule[] {
  return [
    { required: true, whitespace: true, message: t(required) },
    {
      validator: (_, v: string | undefined) =>
        utf8Length((v ?? '').trim()) <= SHIPPING_MAX ? Promise.resolve() : Promise.reject(new Error(t('fieldTooLong'))),
    },
  ];
}

// Sends one decision; shows the server's refusal in the user's language
// (`conflict`: the form's own sentence for a 409, naming what the user typed).
function useDecision() {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const send = async <T,>(path: string, body: unknown, done: (r: T) => void, conflict?: string) => {
    setBusy(true);
    setError('');
    try {
      done(await api<T>('POST', path, body));
    } catch (e) {
      setError(conflict && e instanceof ApiError && e.code === 'conflict' ? conflict : errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, send };
}

export interface ActivationCode {
  serial: string;
  code: string;
}

export function ApproveForm({ app, onDone }: { app: Application; onDone: (a: Application, codes: ActivationCode[]) => void }) {
  const { t: tr } = useTranslation('applications');
  const [form] = Form.useForm<{ serials: string; reason: string }>();
  const serials = parseSerials(Form.useWatch('serials', form));
  const { busy, error, send } = useDecision();
  const submit = (v: { serials: string; reason: string }) =>
    send<Application & { activation_codes: ActivationCode[] }>(
      `/applications/${app.id}/approve`,
      { serials: parseSerials(v.serials), reason: v.reason.trim() },
      (r) => onDone(r, r.activation_codes),
      tr('approveConflict', { serials: parseSerials(v.serials).join(', ') }),
    );
  return (
    <Form form={form} layout="vertical" onFinish={submit} data-testid="approve-form">
      <Form.Item
        name="serials"
        label={tr('serialsLabel', { model: app.model })}
        extra={
          <>
            {tr('serialsHelp', { max: MAX_TERMINALS })}
            <div>{serials.map((s) => <Tag key={s}>{s}</Tag>)}</div>
          </>
        }
        rules={serialRules(tr)}
      >
        <Input autoComplete="off" data-testid="approve-serials" placeholder={`${app.model}A0001`} />
      </Form.Item>
      <Form.Item name="reason" label={tr('approveReason')} rules={reasonRules(tr, 'approveReasonRequired')}>
        <Input data-testid="approve-reason" />
      </Form.Item>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="approve-error" />}
      <Button type="primary" htmlType="submit" loading={busy} data-testid="approve-submit">
        {tr('approveSubmit')}
      </Button>
    </Form>
  );
}

export function RejectForm({ app, onDone }: { app: Application; onDone: (a: Application) => void }) {
  const { t: tr } = useTranslation('applications');
  const { busy, error, send } = useDecision();
  return (
    <Form
      layout="vertical"
      onFinish={(v: { reason: string }) => send<Application>(`/applications/${app.id}/reject`, { reason: v.reason.trim() }, onDone)}
      data-testid="reject-form"
    >
      <Form.Item name="reason" label={tr('rejectReason')} rules={reasonRules(tr, 'rejectReasonRequired')}>
        <Input.TextArea rows={2} data-testid="reject-reason" />
      </Form.Item>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="reject-error" />}
      <Button danger htmlType="submit" loading={busy} data-testid="reject-submit">
        {tr('rejectSubmit')}
      </Button>
    </Form>
  );
}

export function ShippingForm({ app, onDone }: { app: Application; onDone: (a: Application) => void }) {
  const { t: tr } = useTranslation('applications');
  const { busy, error, send } = useDecision();
  return (
    <Form
      layout="vertical"
      onFinish={(v: { carrier: string; tracking: string }) =>
        send<Application>(`/applications/${app.id}/shipping`, { carrier: v.carrier.trim(), tracking: v.tracking.trim() }, onDone)
      }
      data-testid="shipping-form"
    >
      <Form.Item name="carrier" label={tr('carrier')} rules={shortRules(tr, 'carrierRequired')}>
        <Input placeholder={tr('carrierPlaceholder')} data-testid="ship-carrier" />
      </Form.Item>
      <Form.Item name="tracking" label={tr('tracking')} rules={shortRules(tr, 'trackingRequired')}>
        <Input autoComplete="off" data-testid="ship-tracking" />
      </Form.Item>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="ship-error" />}
      <Button type="primary" htmlType="submit" loading={busy} data-testid="ship-submit">
        {tr('shipSubmit')}
      </Button>
    </Form>
  );
}
