// A release's roll-out, live: deployments per state and the newest
// terminals with their progress, refreshed every 2 seconds; roles that may
// deploy can cancel an open one. Every role exports all of the release's
// deployments to CSV or Excel (exportProgress.ts).
import { useState } from 'react';
import { Alert, Button, Card, Popconfirm, Progress as Bar, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import States from '../../common/States';
import { errorText } from '../../common/errors';
import { agentLine } from '../../common/agentText';
import { formatSize } from '../../common/sizes';
import { formatTime, userTimeZone } from '../../common/time';
import { useApi } from '../../common/useApi';
import ExportButtons from '../../common/ExportButtons';
import { collectProgress } from './exportProgress';

export interface ProgressRow {
  id: number;
  terminal: string;
  state: string;
  status: string;
  message: string;
  percent: number | null;
  updated: string;
  phase?: string; // store::DeploymentPhase, finer than the state
}

interface ReleaseProgress {
  release: string;
  counts: Record<string, number>;
  total: number;
  deployments: ProgressRow[];
  // What the release's downloads sent, and what full downloads would have sent instead.
  bytes?: { sent: number; full: number };
}

const STATES = ['scheduled', 'running', 'success', 'failed', 'canceled'] as const;
const COLORS: Record<string, string> = { scheduled: 'default', running: 'processing', success: 'success', failed: 'error', canceled: 'warning' };

export default function Progress({ release, canDeploy }: { release: string; canDeploy: boolean }) {
  const { t, i18n } = useTranslation('deployments');
  const { t: tc } = useTranslation();
  const p = useApi<ReleaseProgress>(`/releases/${encodeURIComponent(release)}/progress?limit=100`, 2000);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');

  const cancel = async (row: ProgressRow) => {
    setNotice('');
    setError('');
    try {
      await api('POST', `/deployments/${row.id}/cancel`);
      setNotice(t('cancelRequested'));
      p.reload();
    } catch (e) {
      setError(errorText(tc, e));
    }
  };

  const d = p.data;
  return (
    <Card title={`${t('progress')} · ${release}`} extra={<Typography.Text type="secondary">{t('liveNote')}</Typography.Text>}
          data-testid="progress">
      <States loading={p.loading && !d} error={d ? '' : p.error} onRetry={p.reload}>
        {d && (
          <>
            <Space wrap size="large" style={{ marginBottom: 16 }} data-testid="progress-counts">
              {STATES.map((s) => (
                <span key={s} data-testid={`count-${s}`} data-count={d.counts[s] ?? 0}>
                  <Statistic title={t(`state_${s}`)} value={d.counts[s] ?? 0} />
                </span>
              ))}
              <Typography.Text type="secondary">{t('total', { total: d.total })}</Typography.Text>
            </Space>
            {d.bytes && d.bytes.full > 0 && (
              <Space wrap size="large" style={{ marginBottom: 16 }} data-testid="progress-bytes"
                     data-sent={d.bytes.sent} data-full={d.bytes.full}>
                <Typography.Text>{t('bytesSent', { sent: formatSize(d.bytes.sent), full: formatSize(d.bytes.full) })}</Typography.Text>
                {d.bytes.sent < d.bytes.full && (
                  <Tag color="success" data-testid="progress-saved">
                    {t('bytesSaved', { percent: Math.round((100 * (d.bytes.full - d.bytes.sent)) / d.bytes.full) })}
                  </Tag>
                )}
              </Space>
            )}
            <div style={{ marginBottom: 12 }}>
              <ExportButtons testId="export-progress" base={`deployments-${release.replace(/[^A-Za-z0-9._-]/g, '_')}`}
                             sheet={t('exportSheet')} collect={collectProgress(release, t, tc, i18n.language)}
                             disabled={d.total === 0} />
            </div>
            {notice && <Alert type="success" title={notice} style={{ marginBottom: 12 }} data-testid="cancel-notice" />}
            {error && <Alert type="error" title={error} style={{ marginBottom: 12 }} data-testid="cancel-error" />}
            <Table<ProgressRow>
              rowKey="id"
              size="small"
              dataSource={d.deployments}
              pagination={{ pageSize: 20 }}
              scroll={{ x: true }}
              locale={{ emptyText: t('noDeployments') }}
              title={() => tc('timeZoneNote', { tz: userTimeZone() })}
              data-testid="progress-rows"
              columns={[
                { title: t('terminal'), dataIndex: 'terminal' },
                {
                  title: t('state'),
                  dataIndex: 'state',
                  render: (s: string, r) => (
                    <Tag color={COLORS[s]} data-testid={`row-state-${r.terminal}`} data-state={s}>{t(`state_${s}`, { defaultValue: s })}</Tag>
                  ),
                },
                {
                  title: t('phase'),
                  dataIndex: 'phase',
                  render: (p: string | undefined, r) =>
                    p ? <span data-testid={`row-phase-${r.terminal}`} data-phase={p}>{tc(`phase_${p}`, { defaultValue: p })}</span> : '—',
                },
                {
                  title: t('percent'),
                  dataIndex: 'percent',
                  render: (v: number | null, r) =>
                    v === null ? '—' : <Bar percent={v} size="small" status={r.state === 'failed' ? 'exception' : undefined} style={{ width: 120 }} />,
                },
                { title: t('message'), dataIndex: 'message', ellipsis: true,
                  render: (v: string) => <span title={v}>{agentLine(tc, i18n.language, v)}</span> },
                { title: t('updated'), dataIndex: 'updated', render: (v: string) => formatTime(v, i18n.language) },
                ...(canDeploy
                  ? [
                      {
                        title: '',
                        key: 'cancel',
                        render: (_: unknown, r: ProgressRow) =>
                          (r.status === 'scheduled' || r.status === 'running') && (
                            <Popconfirm title={t('cancelConfirm', { serial: r.terminal })} okText={t('ok')} cancelText={t('cancel')}
                                        onConfirm={() => cancel(r)}>
                              <Button size="small" danger data-testid={`cancel-${r.terminal}`}>{t('cancelDeployment')}</Button>
                            </Popconfirm>
                          ),
                      },
                    ]
                  : []),
              ]}
            />
          </>
        )}
      </States>
    </Card>
  );
}
