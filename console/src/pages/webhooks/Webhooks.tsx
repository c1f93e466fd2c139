// Webhook settings (消息推送, /api/v1/webhooks, administrators): the
// addresses told about rollouts, in generic JSON or as a 钉钉 / 企业微信
// group-robot message, with the events each wants. The secret is write-only:
// the list says only whether one is set. Test sends one message; remove asks
// for a reason.
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, Me } from '../../api';
import PageTitle from '../../common/PageTitle';
import States from '../../common/States';
import { errorText } from '../../common/errors';
import { useApi } from '../../common/useApi';
import ReasonModal from '../rollouts/ReasonModal';
import { unixTime } from '../rollouts/types';

export interface Webhook {
  id: number;
  name: string;
  url: string;
  format: 'json' | 'dingtalk' | 'wecom';
  events: string[];
  has_secret: boolean;
  created: number;
  last_delivery: { time: number; status: number | string; error: string } | null;
}

export const FORMATS = ['json', 'dingtalk', 'wecom'] as const;
export const EVENTS = ['rollout.paused', 'rollout.approval_needed', 'rollout.finished', 'rollout.stopped', 'rollout.started',
                       'rollout.wave_started', 'deployment.timed_out'];

interface AddValues {
  name?: string;
  url?: string;
  format: Webhook['format'];
  events: string[];
  secret?: string;
}

export default function Webhooks({ me: _me }: { me: Me }) {
  const { t, i18n } = useTranslation('webhooks');
  const { t: tc } = useTranslation();
  const list = useApi<{ webhooks: Webhook[] }>('/webhooks');
  const [form] = Form.useForm<AddValues>();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const [removing, setRemoving] = useState<Webhook | null>(null);

  const add = async (v: AddValues) => {
    setBusy(true);
    setNotice('');
    setError('');
    try {
      const body: Record<string, unknown> = { name: (v.name ?? '').trim(), url: (v.url ?? '').trim(), format: v.format, events: v.events };
      if (v.secret) body.secret = v.secret;
      await api('POST', '/webhooks', body);
      setNotice(t('added'));
      form.resetFields();
      list.reload();
    } catch (e) {
      setError(errorText(tc, e));
    } finally {
      setBusy(false);
    }
  };
  const test = async (w: Webhook) => {
    setNotice('');
    setError('');
    try {
      const r = await api<{ status?: number }>('POST', `/webhooks/${w.id}/test`, {});
      setNotice(t('tested', { status: r?.status ? t('testedStatus', { status: r.status }) : '' }));
      list.reload();
    } catch (e) {
      setError(errorText(tc, e));
    }
  };
  const remove = async (w: Webhook, reason: string) => {
    try {
      await api('DELETE', `/webhooks/${w.id}`, { reason });
      setNotice(t('removed'));
      list.reload();
      return '';
    } catch (e) {
      return errorText(tc, e);
    }
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <PageTitle title={t('title')} />
      <Typography.Paragraph type="secondary">{t('intro')}</Typography.Paragraph>
      {notice && <Alert type="success" title={notice} data-testid="webhook-notice" />}
      {error && <Alert type="error" title={error} data-testid="webhook-error" />}
      <States loading={list.loading && !list.data} error={list.data ? '' : list.error} onRetry={list.reload}>
        <Table<Webhook>
          rowKey="id"
          size="small"
          data-testid="webhooks"
          dataSource={list.data?.webhooks ?? []}
          pagination={false}
          scroll={{ x: 900 }}
          locale={{ emptyText: t('noWebhooks') }}
          columns={[
            { title: t('name'), dataIndex: 'name' },
            { title: t('url'), dataIndex: 'url', ellipsis: true },
            { title: t('format'), dataIndex: 'format', render: (f: string) => t(`format_${f}`, { defaultValue: f }) },
            { title: t('events'), dataIndex: 'events',
              render: (ev: string[]) => ev.map((e) => <Tag key={e}>{t(`event_${e}`, { defaultValue: e })}</Tag>) },
            { title: t('secret').split(/[（(]/)[0], dataIndex: 'has_secret', render: (s: boolean) => (s ? t('hasSecret') : t('noSecret')) },
            { title: t('lastDelivery'), dataIndex: 'last_delivery',
              render: (d: Webhook['last_delivery']) => d
                ? <span title={d.error}>{t('delivered', { time: unixTime(d.time, i18n.language), status: d.status })}</span>
                : t('never') },
            { title: '', key: 'actions',
              render: (_: unknown, w) => (
                <Space>
                  <Button size="small" onClick={() => test(w)} data-testid={`webhook-test-${w.id}`}>{t('test')}</Button>
                  <Button size="small" danger onClick={() => setRemoving(w)} data-testid={`webhook-remove-${w.id}`}>{t('remove')}</Button>
                </Space>
              ) },
          ]}
        />
      </States>
      {removing && (
        <ReasonModal title={t('removeTitle', { name: removing.name })} okText={t('remove')} danger testId="webhook-remove"
                     onRun={(reason) => remove(removing, reason)} onClose={() => setRemoving(null)} />
      )}
      <Card title={t('add')} size="small">
        <Form<AddValues> form={form} layout="vertical" onFinish={add} data-testid="webhook-form"
                         initialValues={{ format: 'json', events: ['rollout.paused', 'rollout.approval_needed', 'rollout.finished', 'rollout.stopped'] }}>
          <Space wrap align="start">
            <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, message: t('nameRequired') }, { max: 64 }]}>
              <Input style={{ width: 200 }} data-testid="webhook-name" />
            </Form.Item>
            <Form.Item name="format" label={t('format')}>
              <Select style={{ width: 200 }} data-testid="webhook-format" options={FORMATS.map((f) => ({ value: f, label: t(`format_${f}`) }))} />
            </Form.Item>
          </Space>
          <Form.Item name="url" label={t('url')}
                     rules={[{ required: true, pattern: /^https?:\/\/[^\s]{1,2000}$/, message: t('urlRequired') }]}>
            <Input style={{ maxWidth: 560 }} data-testid="webhook-url" />
          </Form.Item>
          <Form.Item name="events" label={t('events')} rules={[{ required: true, type: 'array', min: 1, message: t('eventsRequired') }]}>
            <Select mode="multiple" style={{ maxWidth: 560 }} data-testid="webhook-events"
                    options={EVENTS.map((e) => ({ value: e, label: t(`event_${e}`) }))} />
          </Form.Item>
          <Form.Item name="secret" label={t('secret')} rules={[{ max: 200 }]}>
            <Input.Password style={{ maxWidth: 360 }} autoComplete="new-password" data-testid="webhook-secret" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="webhook-add">{t('addSubmit')}</Button>
        </Form>
      </Card>
    </Space>
  );
}
