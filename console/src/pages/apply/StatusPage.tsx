// /apply/status: the applicant follows an application with its number and
// their mobile number: submitted → approved → shipped → activated, or not
// approved with the reviewer's reason; carrier and tracking once shipped.
import { useState } from 'react';
import { Alert, Button, Descriptions, Form, Input, Steps } from 'antd';
import { useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api';
import { errorText } from '../../common/errors';
import { formatTime } from '../../common/time';
import { fieldRules } from './fields';
import PublicShell from './PublicShell';

interface Status {
  number: string;
  status: string;
  model: string;
  created: string;
  updated: string;
  reason?: string;
  carrier?: string;
  tracking?: string;
}

const STEPS = ['submitted', 'approved', 'shipped', 'activated'];
export const NUMBER_PATTERN = /^PA[2-9A-HJ-NP-Z]{8}$/;

export function StatusSteps({ s }: { s: Status }) {
  const { t: ta } = useTranslation('apply');
  if (s.status === 'rejected')
    return (
      <Steps
        current={1}
        status="error"
        items={[{ title: ta('step_submitted') }, { title: ta('step_rejected') }]}
        data-testid="status-steps"
      />
    );
  const current = Math.max(0, STEPS.indexOf(s.status));
  return (
    <Steps
      current={current}
      status={s.status === 'activated' ? 'finish' : 'process'}
      data-testid="status-steps"
      items={STEPS.map((step, i) => ({
        title: ta(`step_${step}`),
        description: i === current ? ta(`stepHelp_${step}`) : undefined,
      }))}
    />
  );
}

export default function StatusPage() {
  const { t } = useTranslation();
  const { t: ta, i18n } = useTranslation('apply');
  const [params] = useSearchParams();
  const [found, setFound] = useState<Status | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const query = async (v: { number: string; phone: string }) => {
    setBusy(true);
    setError('');
    try {
      setFound(await api<Status>('POST', '/public/applications/status', { number: v.number.trim().toUpperCase(), phone: v.phone }));
    } catch (e) {
      setFound(null);
      if (e instanceof ApiError && e.status === 404) setError(ta('notFound'));
      else if (e instanceof ApiError && e.status === 429) setError(ta('tooOften'));
      else setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <PublicShell title={ta('statusTitle')} other={{ to: '/apply', label: ta('toApply'), testid: 'to-apply' }}>
      <Form layout="vertical" requiredMark={false} onFinish={query} initialValues={{ number: params.get('number') ?? '' }} data-testid="status-form">
        <Form.Item
          name="number"
          label={ta('number')}
          rules={[
            { required: true, whitespace: true, message: ta('numberRequired') },
            {
              validator: (_, v: string | undefined) =>
                !v?.trim() || NUMBER_PATTERN.test(v.trim().toUpperCase())
                  ? Promise.resolve()
                  : Promise.reject(new Error(ta('numberInvalid'))),
            },
          ]}
        >
          <Input maxLength={10} autoComplete="off" placeholder="PA7K3M9QXT" data-testid="status-number" />
        </Form.Item>
        <Form.Item name="phone" label={ta('phone')} rules={fieldRules(ta, 'phone')}>
          <Input inputMode="tel" autoComplete="tel" maxLength={20} data-testid="status-phone" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy} data-testid="status-query">
          {ta('query')}
        </Button>
      </Form>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 16 }} data-testid="status-error" />}
      {found && (
        <div style={{ marginTop: 24 }} data-testid="status-result" data-status={found.status}>
          <StatusSteps s={found} />
          {found.status === 'rejected' && (
            <Alert
              type="error"
              showIcon
              style={{ marginTop: 16 }}
              title={ta('rejectedTitle')}
              description={
                <>
                  <div data-testid="status-reason">{ta('rejectedReason', { reason: found.reason ?? '' })}</div>
                  <div>{ta('rejectedHelp')}</div>
                </>
              }
            />
          )}
          <Descriptions column={1} size="small" bordered style={{ marginTop: 16 }}>
            <Descriptions.Item label={ta('number')}>{found.number}</Descriptions.Item>
            <Descriptions.Item label={ta('model')}>{found.model}</Descriptions.Item>
            {found.carrier && <Descriptions.Item label={ta('carrier')}><span data-testid="status-carrier">{found.carrier}</span></Descriptions.Item>}
            {found.tracking && (
              <Descriptions.Item label={ta('tracking')}>
                <span data-testid="status-tracking">{found.tracking}</span>
              </Descriptions.Item>
            )}
            <Descriptions.Item label={ta('submittedAt')}>{formatTime(found.created, i18n.language)}</Descriptions.Item>
            <Descriptions.Item label={ta('updatedAt')}>{formatTime(found.updated, i18n.language)}</Descriptions.Item>
          </Descriptions>
        </div>
      )}
    </PublicShell>
  );
}
