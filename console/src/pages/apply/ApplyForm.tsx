// The application form (public, no log-in): applicant type, identity,
// business (for 企业 only), mobile number with its SMS code, settlement card
// (grouped in fours while typing), bank, shipping address and the model.
// Every field is checked here with the server's rules and messages per flaw;
// what the server still refuses is shown on the same fields.
import { useCallback, useState } from 'react';
import { Alert, Button, Form, Input, Radio } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api';
import { errorText } from '../../common/errors';
import { groupCard, mobileDigits, normalizeDigits } from '../../common/identityNumbers';
import { Field, fieldRules, flawText } from './fields';
import ModelPicker, { CatalogueModel } from './ModelPicker';
import PhoneVerify, { isVerified, PhoneCode } from './PhoneVerify';

export interface Submitted {
  number: string;
  status: string;
  model: string;
}

interface Values {
  kind: 'individual' | 'business';
  legal_name: string;
  resident_id: string;
  business_name?: string;
  credit_code?: string;
  phone: string;
  card: string;
  bank: string;
  address: string;
  model: string;
  code?: string; // the SMS code (PhoneVerify); not sent with the application
}

interface Props {
  models: CatalogueModel[];
  onSubmitted: (s: Submitted) => void;
}

export default function ApplyForm({ models, onSubmitted }: Props) {
  const { t } = useTranslation();
  const { t: ta } = useTranslation('apply');
  const [form] = Form.useForm<Values>();
  const kind = Form.useWatch('kind', form) ?? 'individual';
  const [code, setCode] = useState<PhoneCode | null>(null);
  // Kept as how to say it with the current language's t, so it follows a switch of language.
  const [error, setError] = useState<((ta: TFunction, t: TFunction) => string) | null>(null);
  const [busy, setBusy] = useState(false);
  const onCode = useCallback((c: PhoneCode | null) => setCode(c), []);

  const submit = async (v: Values) => {
    setError(null);
    if (!code || !isVerified(code, v.phone)) {
      form.setFields([{ name: 'phone', errors: [ta('phone_not_verified')] }]);
      return;
    }
    const business = v.kind === 'business';
    setBusy(true);
    try {
      const r = await api<Submitted>('POST', '/public/applications', {
        kind: v.kind,
        legal_name: v.legal_name.trim(),
        resident_id: v.resident_id.trim().toUpperCase(),
        business_name: business ? (v.business_name ?? '').trim() : '',
        credit_code: business ? (v.credit_code ?? '').trim().toUpperCase() : '',
        phone: mobileDigits(v.phone),
        phone_code_id: code.id,
        card: normalizeDigits(v.card),
        bank: v.bank.trim(),
        address: v.address.trim(),
        model: v.model,
      });
      onSubmitted(r);
    } catch (e) {
      const fields = e instanceof ApiError ? (e.details.fields as Record<string, string> | undefined) : undefined;
      if (fields && Object.keys(fields).length) {
        form.setFields(Object.entries(fields).map(([name, flaw]) => ({ name: name as Field, errors: [flawText(ta, name, flaw)] })));
        if (fields.phone === 'not_verified') setCode(null);
        form.scrollToField(Object.keys(fields)[0]);
        const n = Object.keys(fields).length;
        setError(() => (ta: TFunction) => ta('fixFields', { n }));
      } else if (e instanceof ApiError && e.status === 409) {
        setCode(null); // the code was spent on this attempt
        form.setFieldValue('code', '');
        setError(() => (ta: TFunction) => ta('duplicate'));
      } else if (e instanceof ApiError && e.status === 429) {
        setError(() => (ta: TFunction) => ta('tooOften'));
      } else {
        setError(() => (_: TFunction, t: TFunction) => errorText(t, e));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form<Values>
      form={form}
      layout="vertical"
      onFinish={submit}
      onFinishFailed={({ errorFields }) => setError(() => (ta: TFunction) => ta('fixFields', { n: errorFields.length }))}
      initialValues={{ kind: 'individual' }}
      requiredMark={false}
      scrollToFirstError
      data-testid="apply-form"
    >
      <Form.Item name="kind" label={ta('kind')} rules={fieldRules(ta, 'kind')}>
        <Radio.Group
          optionType="button"
          buttonStyle="solid"
          data-testid="apply-kind"
          options={[
            { value: 'individual', label: ta('kind_individual') },
            { value: 'business', label: ta('kind_business') },
          ]}
        />
      </Form.Item>
      <Form.Item name="legal_name" label={ta('legalName')} extra={ta('legalNameHelp')} rules={fieldRules(ta, 'legal_name')}>
        <Input autoComplete="name" data-testid="apply-legal-name" />
      </Form.Item>
      <Form.Item name="resident_id" label={ta('residentId')} rules={fieldRules(ta, 'resident_id')}>
        <Input autoComplete="off" maxLength={18} data-testid="apply-resident-id" />
      </Form.Item>
      {kind === 'business' && (
        <>
          <Form.Item name="business_name" label={ta('businessName')} rules={fieldRules(ta, 'business_name')}>
            <Input autoComplete="organization" data-testid="apply-business-name" />
          </Form.Item>
          <Form.Item name="credit_code" label={ta('creditCode')} rules={fieldRules(ta, 'credit_code')}>
            <Input autoComplete="off" maxLength={18} data-testid="apply-credit-code" />
          </Form.Item>
        </>
      )}
      <PhoneVerify code={code} onCode={onCode} />
      <Form.Item
        name="card"
        label={ta('card')}
        extra={ta('cardHelp')}
        normalize={(v: string) => groupCard(v ?? '')}
        rules={fieldRules(ta, 'card')}
      >
        <Input inputMode="numeric" autoComplete="off" maxLength={23} data-testid="apply-card" />
      </Form.Item>
      <Form.Item name="bank" label={ta('bank')} rules={fieldRules(ta, 'bank')}>
        <Input placeholder={ta('bankPlaceholder')} data-testid="apply-bank" />
      </Form.Item>
      <Form.Item name="address" label={ta('address')} rules={fieldRules(ta, 'address')}>
        <Input.TextArea rows={2} placeholder={ta('addressPlaceholder')} autoComplete="street-address" data-testid="apply-address" />
      </Form.Item>
      <Form.Item name="model" label={ta('model')} rules={fieldRules(ta, 'model')}>
        <ModelPicker models={models} />
      </Form.Item>
      {error && <Alert type="error" showIcon title={error(ta, t)} style={{ marginBottom: 16 }} data-testid="apply-error" />}
      <Button type="primary" htmlType="submit" size="large" block loading={busy} data-testid="apply-submit">
        {ta('submit')}
      </Button>
    </Form>
  );
}
