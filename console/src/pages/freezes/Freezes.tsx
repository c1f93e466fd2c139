// The freeze calendar (封网日历, GET/POST/DELETE /api/v1/freezes): dates on
// which no rollout advances and no install starts, for the fleet or a group,
// with a reason and the rule for security releases in words. Administrators
// add and remove them (a removal asks for its reason); others read.
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Radio, Select, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, Me } from '../../api';
import { can } from '../../access';
import PageTitle from '../../common/PageTitle';
import States from '../../common/States';
import { errorText } from '../../common/errors';
import { useApi } from '../../common/useApi';
import ReasonModal from '../rollouts/ReasonModal';

export interface Freeze {
  id: number;
  scope: 'fleet' | 'group';
  group: string;
  from: string; // YYYY-MM-DD
  to: string;
  reason: string;
  security: 'hold' | 'after_deadline' | 'allow';
  created_by: string;
  created: number;
}

const SECURITY = ['hold', 'after_deadline', 'allow'] as const;

interface AddValues {
  scope: 'fleet' | 'group';
  group?: string;
  from?: string;
  to?: string;
  reason?: string;
  security: Freeze['security'];
}

export default function Freezes({ me }: { me: Me }) {
  const { t } = useTranslation('freezes');
  const { t: tc } = useTranslation();
  const list = useApi<{ freezes: Freeze[] }>('/freezes');
  const [form] = Form.useForm<AddValues>();
  const scope = Form.useWatch('scope', form);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const [removing, setRemoving] = useState<Freeze | null>(null);
  const admin = can(me.role, 'admin');

  const add = async (v: AddValues) => {
    setBusy(true);
    setNotice('');
    setError('');
    try {
      await api('POST', '/freezes', {
        scope: v.scope, group: v.scope === 'group' ? (v.group ?? '').trim() : '', from: v.from, to: v.to,
        reason: (v.reason ?? '').trim(), security: v.security,
      });
      setNotice(t('added'));
      form.resetFields();
      list.reload();
    } catch (e) {
      setError(errorText(tc, e));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (f: Freeze, reason: string) => {
    try {
      await api('DELETE', `/freezes/${f.id}`, { reason });
      setNotice(t('removed'));
      list.reload();
      return '';
    } catch (e) {
      return errorText(tc, e);
    }
  };

  const rows = [...(list.data?.freezes ?? [])].sort((a, b) => a.from.localeCompare(b.from));
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <PageTitle title={t('title')} />
      <Typography.Paragraph type="secondary">{t('intro')}</Typography.Paragraph>
      {notice && <Alert type="success" title={notice} data-testid="freeze-notice" />}
      <States loading={list.loading && !list.data} error={list.data ? '' : list.error} onRetry={list.reload}>
        <Table<Freeze>
          rowKey="id"
          size="small"
          data-testid="freezes"
          dataSource={rows}
          pagination={false}
          scroll={{ x: 720 }}
          locale={{ emptyText: t('noFreezes') }}
          columns={[
            { title: t('dates'), key: 'dates', render: (_: unknown, f) => <span data-testid={`freeze-dates-${f.id}`}>{f.from === f.to ? f.from : `${f.from} – ${f.to}`}</span> },
            { title: t('scope'), dataIndex: 'scope', render: (s: string, f) => (s === 'group' ? t('scope_group', { group: f.group }) : t('scope_fleet')) },
            { title: t('reason'), dataIndex: 'reason' },
            { title: t('security'), dataIndex: 'security', render: (s: string) => t(`security_${s}`, { defaultValue: s }) },
            { title: t('createdBy'), dataIndex: 'created_by' },
            ...(admin ? [{
              title: '', key: 'remove',
              render: (_: unknown, f: Freeze) => (
                <Button size="small" danger onClick={() => setRemoving(f)} data-testid={`freeze-remove-${f.id}`}>{t('remove')}</Button>
              ),
            }] : []),
          ]}
        />
      </States>
      {removing && (
        <ReasonModal title={t('removeTitle', { from: removing.from, to: removing.to })} okText={t('remove')} danger
                     testId="freeze-remove" onRun={(reason) => remove(removing, reason)} onClose={() => setRemoving(null)} />
      )}
      {admin ? (
        <Card title={t('add')} size="small">
          <Form<AddValues> form={form} layout="vertical" onFinish={add} initialValues={{ scope: 'fleet', security: 'hold' }}
                           data-testid="freeze-form">
            <Form.Item name="scope" label={t('scope')}>
              <Radio.Group optionType="button" options={(['fleet', 'group'] as const).map((s) => ({
                value: s, label: <span data-testid={`freeze-scope-${s}`}>{t(`scopeKind_${s}`)}</span> }))} />
            </Form.Item>
            {scope === 'group' && (
              <Form.Item name="group" label={t('group')} rules={[{ required: true, whitespace: true, message: t('groupRequired') }, { max: 64 }]}>
                <Input style={{ maxWidth: 240 }} data-testid="freeze-group" />
              </Form.Item>
            )}
            <Space wrap align="start">
              <Form.Item name="from" label={t('from')} rules={[{ required: true, message: t('fromRequired') }]}>
                <Input type="date" data-testid="freeze-from" />
              </Form.Item>
              <Form.Item name="to" label={t('to')} dependencies={['from']}
                         rules={[{ required: true, message: t('toRequired') }, ({ getFieldValue }) => ({
                           validator: async (_, v: string | undefined) => {
                             const from = getFieldValue('from') as string | undefined;
                             if (v && from && v < from) throw new Error(t('toBeforeFrom'));
                           },
                         })]}>
                <Input type="date" data-testid="freeze-to" />
              </Form.Item>
              <Form.Item name="security" label={t('security')}>
                <Select style={{ width: 280 }} data-testid="freeze-security"
                        options={SECURITY.map((s) => ({ value: s, label: t(`security_${s}`) }))} />
              </Form.Item>
            </Space>
            <Form.Item name="reason" label={t('reason')}
                       rules={[{ required: true, whitespace: true, message: t('reasonRequired') }, { max: 500, message: tc('tooLong', { max: 500 }) }]}>
              <Input style={{ maxWidth: 480 }} data-testid="freeze-reason" />
            </Form.Item>
            {error && <Alert type="error" title={error} style={{ marginBottom: 12 }} data-testid="freeze-error" />}
            <Button type="primary" htmlType="submit" loading={busy} data-testid="freeze-add">{t('addSubmit')}</Button>
          </Form>
        </Card>
      ) : (
        <Alert type="info" title={t('readOnly')} data-testid="freeze-read-only" />
      )}
    </Space>
  );
}
