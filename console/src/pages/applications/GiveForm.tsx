// Gives a submitted application to another organisation of the reviewer's subtree (a reseller
// that signs the merchant up), whose staff then review it; the merchant and terminals of its
// approval belong to that organisation. PUT /api/v1/applications/{id}/organisation.
import { useState } from 'react';
import { Alert, Button, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { errorText } from '../../common/errors';
import { reasonRules } from '../../common/rules';
import OrganisationPicker from '../organisations/OrganisationPicker';
import type { Organisation } from '../organisations/organisationList';
import type { Application } from './types';

interface Props {
  app: Application;
  orgs: Organisation[];
  onDone: (app: Application) => void;
}

export default function GiveForm({ app, orgs, onDone }: Props) {
  const { t } = useTranslation();
  const { t: tr } = useTranslation('applications');
  const [form] = Form.useForm<{ organisation: number; reason: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const give = async (v: { organisation: number; reason: string }) => {
    setBusy(true);
    setError('');
    try {
      const given = await api<Application>('PUT', `/applications/${app.id}/organisation`, { organisation: v.organisation, reason: v.reason.trim() });
      form.resetFields();
      onDone(given);
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form form={form} layout="vertical" onFinish={give} data-testid="give-form">
      <Form.Item name="organisation" label={tr('giveTo')} rules={[{ required: true, message: tr('giveToRequired') }]}>
        <OrganisationPicker orgs={orgs} testid="give-picker" disabled={(o) => o.id === app.organisation}
                            note={(o) => (o.id === app.organisation ? tr('giveHere') : '')} />
      </Form.Item>
      <Form.Item name="reason" label={tr('giveReason')} rules={reasonRules(t)}>
        <Input data-testid="give-reason" />
      </Form.Item>
      <Button htmlType="submit" loading={busy} data-testid="give-submit">{tr('giveSubmit')}</Button>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 12 }} data-testid="give-error" />}
    </Form>
  );
}
