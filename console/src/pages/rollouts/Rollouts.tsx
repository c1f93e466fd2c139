// The staged-rollouts page (灰度发布): every rollout, newest first, filtered
// by state or release, each opening its detail; roles that may deploy create
// one (previewed first). Refreshes every 5 s.
import { useState } from 'react';
import { Alert, Button, Drawer, Progress as Bar, Select, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import type { Me } from '../../api';
import { can } from '../../access';
import PageTitle from '../../common/PageTitle';
import States from '../../common/States';
import { useApi } from '../../common/useApi';
import { userTimeZone } from '../../common/time';
import CreateRollout from './CreateRollout';
import { ROLLOUT_STATES, RolloutRow, STATE_COLORS, unixTime } from './types';
import { targetText } from './words';

const PAGE = 20;

export default function Rollouts({ me }: { me: Me }) {
  const { t, i18n } = useTranslation('rollouts');
  const navigate = useNavigate();
  const [state, setState] = useState('');
  const [release, setRelease] = useState('');
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const query = new URLSearchParams({ limit: String(PAGE), offset: String((page - 1) * PAGE) });
  if (state) query.set('state', state);
  if (release) query.set('release', release);
  const list = useApi<{ rollouts: RolloutRow[]; total: number }>(`/rollouts?${query.toString()}`, 5000);
  const releases = useApi<{ releases: { version: string }[] }>('/releases');
  const versions = (releases.data?.releases ?? []).map((r) => r.version).reverse();
  const canDeploy = can(me.role, 'deploy');
  const lang = i18n.language;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <PageTitle
        title={t('title')}
        extra={canDeploy && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="rollout-create">
            {t('create')}
          </Button>
        )}
      />
      <Space wrap>
        <Typography.Text>{t('filterState')}</Typography.Text>
        <Select value={state} onChange={(v) => { setState(v); setPage(1); }} style={{ width: 160 }} data-testid="filter-state"
                options={[{ value: '', label: t('any') }, ...ROLLOUT_STATES.map((s) => ({ value: s, label: t(`state_${s}`) }))]} />
        <Typography.Text>{t('filterRelease')}</Typography.Text>
        <Select value={release} onChange={(v) => { setRelease(v); setPage(1); }} style={{ width: 160 }} showSearch
                data-testid="filter-release"
                options={[{ value: '', label: t('any') }, ...versions.map((v) => ({ value: v, label: v }))]} />
      </Space>
      <States loading={list.loading && !list.data} error={list.data ? '' : list.error} onRetry={list.reload}>
        {list.data && (
          <Table<RolloutRow>
            rowKey="id"
            size="small"
            data-testid="rollouts"
            dataSource={list.data.rollouts}
            scroll={{ x: 960 }}
            locale={{ emptyText: t('noRollouts') }}
            title={() => t('timeNote', { tz: userTimeZone() })}
            onRow={(r) => ({ onDoubleClick: () => navigate(`/rollouts/${r.id}`) })}
            pagination={{ current: page, pageSize: PAGE, total: list.data.total, onChange: setPage, showSizeChanger: false,
                          showTotal: (n) => t('total', { total: n }) }}
            columns={[
              { title: '#', dataIndex: 'id', render: (id: number) => <Link to={`/rollouts/${id}`} data-testid={`rollout-${id}`}>#{id}</Link> },
              { title: t('name'), dataIndex: 'name' },
              { title: t('release'), dataIndex: 'release' },
              { title: t('target'), dataIndex: 'target', render: (v: RolloutRow['target']) => targetText(t, v) },
              { title: t('creator'), dataIndex: 'created_by' },
              { title: t('start'), key: 'start',
                render: (_: unknown, r) => unixTime(r.started ?? r.start_at ?? null, lang) || '—' },
              {
                title: t('state'),
                dataIndex: 'state',
                render: (s: string, r) => (
                  <Tag color={STATE_COLORS[s]} data-testid={`rollout-state-${r.id}`} data-state={s} title={r.state_reason}>
                    {t(`state_${s}`, { defaultValue: s })}
                  </Tag>
                ),
              },
              {
                title: t('progress'),
                key: 'progress',
                render: (_: unknown, r) => {
                  const p = r.progress ?? { total: 0, success: 0, failed: 0 };
                  const done = p.total ? Math.round((p.success * 100) / p.total) : 0;
                  return (
                    <span title={t('progressText', p)} data-testid={`rollout-progress-${r.id}`}>
                      <Bar percent={done} size="small" style={{ width: 120 }} status={p.failed ? 'exception' : undefined} />
                    </span>
                  );
                },
              },
            ]}
          />
        )}
      </States>
      {list.data && list.error && <Alert type="warning" title={list.error} />}
      <Drawer open={creating} onClose={() => setCreating(false)} title={t('create')} size="large" destroyOnHidden
              data-testid="create-drawer">
        <CreateRollout
          releases={versions}
          onCreated={(id) => {
            setCreating(false);
            navigate(`/rollouts/${id}`);
          }}
        />
      </Drawer>
    </Space>
  );
}
