// The policy form: mode, maintenance window, cellular rule, security
// handling (fleet only), lock (administrators only) and the reason every
// change needs. It validates what the server checks again; `onChange` gets
// the patch as it is edited (for the preview), `onSubmit` the patch to save.
import { ReactNode, useMemo, useState } from 'react';
import { Alert, AutoComplete, Button, Checkbox, Form, Input, InputNumber, Radio, Space, Switch } from 'antd';
import type { Rule } from 'antd/es/form';
import { useTranslation } from 'react-i18next';
import { reasonRules, timeOfDayRules } from '../../common/rules';
import { Patch, patchOf, PolicyValues, windowSet } from './patch';

interface Props {
  initial: PolicyValues | null; // null: a bulk edit, nothing pre-filled
  fleet: boolean;
  canLock: boolean;
  onChange?: (patch: Patch) => void;
  onSubmit: (patch: Patch, reason: string) => Promise<void> | void;
  submitText?: string;
  footer?: ReactNode;
  modeLocked?: boolean; // an administrator locked the mode; others may not change it
}

export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const zones = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : ['Asia/Shanghai'];
  return zones.includes('UTC') ? zones : [...zones, 'UTC'];
}

export default function PolicyForm({ initial, fleet, canLock, onChange, onSubmit, submitText, footer, modeLocked }: Props) {
  const { t } = useTranslation('policy');
  const { t: tc } = useTranslation();
  const [form] = Form.useForm<PolicyValues>();
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const bulk = initial === null;
  const zones = useMemo(timeZones, []);
  const cellular = Form.useWatch('cellular', form);
  const locked = Form.useWatch('locked', form);
  const tzText = Form.useWatch('tz', form) ?? '';

  // In a bulk edit the window is optional, but whole when any part is given.
  const windowPart = (rules: Rule[]): Rule[] =>
    bulk
      ? [
          ({ getFieldsValue }) => ({
            validator: (_, value) =>
              windowSet(getFieldsValue()) && (value === undefined || value === '' || (Array.isArray(value) && !value.length))
                ? Promise.reject(new Error(t('windowIncomplete')))
                : Promise.resolve(),
          }),
          ...rules.map((r) => (typeof r === 'function' ? r : { ...r, required: false })),
        ]
      : rules;
  const tzRule: Rule = { validator: (_, v) => (!v || zones.includes(v) ? Promise.resolve() : Promise.reject(new Error(t('tzInvalid')))) };

  const finish = async (v: PolicyValues) => {
    const patch = patchOf(v, initial, fleet, canLock);
    if (Object.keys(patch).length === 0) {
      setNotice(t('nothingChanged'));
      return;
    }
    setNotice('');
    setBusy(true);
    try {
      await onSubmit(patch, (v.reason ?? '').trim());
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form<PolicyValues>
      form={form}
      layout="vertical"
      initialValues={initial ?? {}}
      onFinish={finish}
      onValuesChange={(_, all) => onChange?.(patchOf(all, initial, fleet, canLock))}
      data-testid="policy-form"
    >
      <Form.Item name="mode" label={t('mode')}>
        <Radio.Group
          optionType="button"
          disabled={modeLocked && !canLock}
          data-testid="pf-mode"
          options={['auto', 'manual', 'never'].map((m) => ({ value: m, label: t(`mode_${m}`) }))}
        />
      </Form.Item>
      <Form.Item label={t('window')} extra={t('windowNote')} style={{ marginBottom: 8 }}>
        <Form.Item name="days" label={t('windowDays')} dependencies={['start', 'end', 'tz']}
                   rules={windowPart([{ required: true, type: 'array', min: 1, message: t('windowDaysRequired') }])}>
          <Checkbox.Group data-testid="pf-days"
                          options={[1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: t(`day${d}`) }))} />
        </Form.Item>
        <Space wrap align="start">
          <Form.Item name="start" label={t('windowStart')} dependencies={['days', 'end', 'tz']} rules={windowPart(timeOfDayRules(tc))}>
            <Input placeholder="22:00" style={{ width: 100 }} data-testid="pf-start" />
          </Form.Item>
          <Form.Item name="end" label={t('windowEnd')} dependencies={['days', 'start', 'tz']} rules={windowPart(timeOfDayRules(tc))}>
            <Input placeholder="06:00" style={{ width: 100 }} data-testid="pf-end" />
          </Form.Item>
          <Form.Item name="tz" label={t('windowTz')} dependencies={['days', 'start', 'end']}
                     rules={windowPart([{ required: true, message: t('tzInvalid') }, tzRule])}>
            <AutoComplete
              style={{ width: 220 }}
              data-testid="pf-tz"
              placeholder="Asia/Shanghai"
              options={zones.filter((z) => z.toLowerCase().includes(String(tzText).toLowerCase())).slice(0, 50).map((z) => ({ value: z }))}
            />
          </Form.Item>
        </Space>
      </Form.Item>
      <Form.Item name="cellular" label={t('cellular')}>
        <Radio.Group
          optionType="button"
          data-testid="pf-cellular"
          options={['allowed', 'forbidden', 'limit'].map((c) => ({ value: c, label: t(`cellular_${c}`) }))}
        />
      </Form.Item>
      {cellular === 'limit' && (
        <Form.Item name="cellular_limit_mb" label={t('cellularLimit')}
                   rules={[{ required: true, type: 'integer', min: 0, max: 1048576, message: t('cellularLimitRequired') }]}>
          <InputNumber min={0} max={1048576} precision={0} data-testid="pf-limit" />
        </Form.Item>
      )}
      {fleet && (
        <Space wrap align="start" size="large">
          <Form.Item name="security_deadline_days" label={t('deadlineDays')}
                     rules={[{ type: 'integer', min: 0, max: 365, message: t('deadlineDaysRange') }]}>
            <InputNumber min={0} max={365} precision={0} data-testid="pf-deadline" />
          </Form.Item>
          <Form.Item name="never_defers_security" label={t('neverDefersSecurity')} valuePropName="checked"
                     extra={t('neverDefersSecurityNote')} style={{ maxWidth: 480 }}>
            <Switch data-testid="pf-never-defers" />
          </Form.Item>
        </Space>
      )}
      {canLock && (
        <Space wrap align="start" size="large">
          <Form.Item name="locked" label={t('lock')} valuePropName="checked">
            <Switch data-testid="pf-locked" checkedChildren={t('locked')} unCheckedChildren={t('unlocked')} />
          </Form.Item>
          {locked && (
            <Form.Item name="lock_reason" label={t('lockReason')} style={{ minWidth: 320 }}
                       rules={[{ required: true, whitespace: true, message: t('lockReasonRequired') }]}>
              <Input data-testid="pf-lock-reason" />
            </Form.Item>
          )}
        </Space>
      )}
      {footer}
      <Form.Item name="reason" label={t('reason')} rules={reasonRules(tc)}>
        <Input.TextArea rows={2} data-testid="pf-reason" />
      </Form.Item>
      {notice && <Alert type="info" title={notice} style={{ marginBottom: 12 }} data-testid="pf-notice" />}
      <Button type="primary" htmlType="submit" loading={busy} data-testid="pf-save">
        {submitText ?? t('save')}
      </Button>
    </Form>
  );
}
