// The review queue of applications for terminals (staff with 'onboard'):
// filtered by status, newest first; opening one shows its drawer.
import { useState } from 'react';
import { Card, Segmented, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import PageTitle from '../../common/PageTitle';
import type { Me } from '../../api';
import States from '../../common/States';
import { formatTime } from '../../common/time';
import { useApi } from '../../common/useApi';
import { useOrganisations } from '../organisations/organisationList';
import ApplicationDrawer from './ApplicationDrawer';
import { Application, STATUS_COLOURS } from './types';

const FILTERS = ['submitted', 'approved', 'shipped', 'activated', 'rejected', ''];

export default function Applications(_: { me: Me }) {
  const { t: tr, i18n } = useTranslation('applications');
  const [status, setStatus] = useState('submitted');
  const [open, setOpen] = useState<number | null>(null);
  const list = useApi<{ applications: Application[] }>(`/applications${status ? `?status=${status}` : ''}`);
  const rows = list.data?.applications ?? [];
  const organisations = useOrganisations();

  return (
    <>
    <PageTitle title={tr('title')} />
    <Card>
      {open !== null && <ApplicationDrawer id={open} onClose={() => setOpen(null)} onChanged={list.reload} />}
      <Segmented
        style={{ marginBottom: 16, maxWidth: '100%', overflowX: 'auto' }}
        value={status}
        onChange={(v) => setStatus(String(v))}
        data-testid="app-filter"
        options={FILTERS.map((f) => ({
          value: f,
          label: <span data-testid={`app-filter-${f || 'all'}`}>{f ? tr(`status_${f}`) : tr('filter_all')}</span>,
        }))}
      />
      <States
        loading={list.loading}
        error={list.error}
        onRetry={list.reload}
        empty={!list.loading && rows.length === 0}
        emptyText={status === 'submitted' ? tr('none_submitted') : tr('none')}
      >
        {list.data && (
          <Table<Application>
            rowKey="id"
            size="middle"
            data-testid="app-table"
            dataSource={rows}
            scroll={{ x: 640 }}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            columns={[
              {
                title: tr('number'),
                dataIndex: 'number',
                render: (n: string, a) => (
                  <Typography.Link onClick={() => setOpen(a.id)} data-testid={`app-open-${n}`}>
                    {n}
                  </Typography.Link>
                ),
              },
              {
                title: tr('applicant'),
                key: 'applicant',
                render: (_v, a) => (a.kind === 'business' ? `${a.legal_name}（${a.business_name}）` : a.legal_name),
              },
              { title: tr('kind'), dataIndex: 'kind', render: (k: string) => tr(`kind_${k}`) },
              { title: tr('model'), dataIndex: 'model' },
              {
                title: tr('organisation'),
                dataIndex: 'organisation',
                render: (o: number | undefined, a) => (
                  <span data-testid={`app-org-${a.number}`}>{organisations.nameById(o ?? 1)}</span>
                ),
              },
              {
                title: tr('status'),
                dataIndex: 'status',
                render: (s: string) => <Tag color={STATUS_COLOURS[s]}>{tr(`status_${s}`)}</Tag>,
              },
              { title: tr('created'), dataIndex: 'created', render: (v: string) => formatTime(v, i18n.language) },
            ]}
          />
        )}
      </States>
    </Card>
    </>
  );
}
