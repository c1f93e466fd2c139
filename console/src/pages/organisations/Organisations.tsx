// Organisations (组织, GET/POST /api/v1/organisations): the caller's organisation and those
// below it, drawn as the tree they are (indented by depth), with the terminals each holds
// directly; each count opens the terminal list of that organisation and those below it.
// Administrators add a reseller or merchant below any of them but a merchant.
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Radio, Select, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, Me } from '../../api';
import { can } from '../../access';
import PageTitle from '../../common/PageTitle';
import States from '../../common/States';
import { errorText } from '../../common/errors';
import { useApi } from '../../common/useApi';
import { Organisation, OrganisationList, useOrganisationName } from './organisationList';

interface AddValues {
  name?: string;
  kind: 'reseller' | 'merchant';
  parent?: number;
}

export default function Organisations({ me }: { me: Me }) {
  const { t } = useTranslation('organisations');
  const { t: tc } = useTranslation();
  const list = useApi<OrganisationList>('/organisations');
  const [form] = Form.useForm<AddValues>();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const admin = can(me.role, 'admin');
  const orgs = list.data?.organisations ?? [];
  const nameOf = useOrganisationName();

  const add = async (v: AddValues) => {
    setBusy(true);
    setNotice('');
    setError('');
    try {
      const made = await api<Organisation>('POST', '/organisations', {
        name: (v.name ?? '').trim(), kind: v.kind, parent: v.parent ?? list.data?.own,
      });
      setNotice(t('added', { name: made.name }));
      form.resetFields();
      list.reload();
    } catch (e) {
      setError(errorText(tc, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <PageTitle title={t('title')} />
      <Typography.Paragraph type="secondary">{t('intro')}</Typography.Paragraph>
      {notice && <Alert type="success" title={notice} data-testid="org-notice" />}
      <States loading={list.loading && !list.data} error={list.data ? '' : list.error} onRetry={list.reload}>
        <Table<Organisation>
          rowKey="id"
          size="small"
          data-testid="organisations"
          dataSource={orgs}
          pagination={false}
          scroll={{ x: 640 }}
          locale={{ emptyText: t('empty') }}
          columns={[
            { title: t('name'), key: 'name', render: (_: unknown, o) => (
              <span data-testid={`org-${o.id}`} style={{ paddingLeft: 20 * Math.max(0, o.depth - (orgs[0]?.depth ?? 0)) }}>
                {nameOf(o)}{o.id === list.data?.own ? t('own') : ''}
              </span>
            ) },
            { title: t('kind'), dataIndex: 'kind', render: (k: string) => t(`kind_${k}`, { defaultValue: k }) },
            { title: t('terminals'), dataIndex: 'terminals', align: 'right' as const,
              render: (n: number | undefined, o) => (
                <Link to={`/terminals?organisation=${o.id}`} data-testid={`org-terminals-${o.id}`}>{n ?? 0}</Link>
              ) },
            { title: t('createdBy'), dataIndex: 'created_by' },
          ]}
        />
      </States>
      {admin ? (
        <Card title={t('add')} size="small">
          <Form<AddValues> form={form} layout="vertical" onFinish={add} initialValues={{ kind: 'reseller' }} data-testid="org-form">
            <Space wrap align="start">
              <Form.Item name="name" label={t('name')}
                         rules={[{ required: true, whitespace: true, message: t('nameRequired') }, { max: 100, message: tc('tooLong', { max: 100 }) }]}>
                <Input style={{ width: 240 }} data-testid="org-name" />
              </Form.Item>
              <Form.Item name="kind" label={t('kind')}>
                <Radio.Group optionType="button" options={(['reseller', 'merchant'] as const).map((k) => ({
                  value: k, label: <span data-testid={`org-kind-${k}`}>{t(`kind_${k}`)}</span> }))} />
              </Form.Item>
              <Form.Item name="parent" label={t('parent')}>
                <Select style={{ width: 240 }} data-testid="org-parent" placeholder={list.data ? nameOf(orgs[0] ?? { name: '', kind: 'acquirer' } as Organisation) : ''}
                        options={orgs.filter((o) => o.kind !== 'merchant').map((o) => ({ value: o.id, label: nameOf(o) }))} />
              </Form.Item>
            </Space>
            {error && <Alert type="error" title={error} style={{ marginBottom: 12 }} data-testid="org-error" />}
            <Button type="primary" htmlType="submit" loading={busy} data-testid="org-add">{t('addSubmit')}</Button>
          </Form>
        </Card>
      ) : (
        <Alert type="info" title={t('readOnly')} data-testid="org-read-only" />
      )}
    </Space>
  );
}
