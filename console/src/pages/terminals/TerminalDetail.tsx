// One terminal: who and what it is, its A/B slots, the current update's
// progress (refreshed every 2 s while an update runs), its policy with the
// revision history, notifications sent to it, deployments with their status
// history, and its support tickets; administrators retire it from here
// (RetireButton), and a retired terminal says so, when and why; its client
// certificates, revoked by administrators (CertificatesCard); its parameters as it gets them
// and whether it applied them (ParametersCard); its remote lock, for a lost or stolen terminal
// (LockCard); its remote actions — collect its logs, reboot it — and their log bundles (ActionsCard);
// the organisation it belongs to, and for the roles with 'terminal' giving it to another
// (MoveOrganisation); its health as its agent reports it — battery, storage, signal, uptime, versions —
// with the fleet's conditions and charts of its history (HealthCard).
import { useEffect, useState } from 'react';
import { Alert, Badge, Card, Col, Descriptions, Empty, Progress, Row, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { Me } from '../../api';
import { can } from '../../access';
import States from '../../common/States';
import { formatTime, userTimeZone } from '../../common/time';
import { useApi } from '../../common/useApi';
import { agentLine } from '../../common/agentText';
import { formatSize } from '../../common/sizes';
import ActionsCard from './ActionsCard';
import CertificatesCard from './CertificatesCard';
import HealthCard from './HealthCard';
import LockCard from './LockCard';
import MoveOrganisation, { TerminalOrganisation, useTerminalOrganisation } from './MoveOrganisation';
import ParametersCard from './ParametersCard';
import PolicyPanel from './PolicyPanel';
import RetireButton from './RetireButton';
import { STATE_COLORS } from './TerminalList';
import type { DeploymentView, StatusEntry, TerminalView } from './types';
import PageTitle from '../../common/PageTitle';


export default function TerminalDetail({ me }: { me: Me }) {
  const { t, i18n } = useTranslation('terminals');
  const { t: tc } = useTranslation();
  const said = (line: string, code?: number) => <span title={line}>{agentLine(tc, lang, line, code)}</span>;
  const lang = i18n.language;
  const { serial = '' } = useParams();
  const [live, setLive] = useState(false);
  const view = useApi<TerminalView>(`/terminals/${encodeURIComponent(serial)}`, live ? 2000 : 0);
  const v = view.data;
  // Its organisation, named from the caller's organisation list by the id its record carries.
  const org = useTerminalOrganisation(v?.organisation);
  // Refresh while an update is pending or running, so a page opened before
  // the terminal starts downloading follows it without a reload.
  useEffect(() => setLive(!!v?.progress?.active || v?.state === 'scheduled' || v?.state === 'running'), [v]);
  const time = (s: string | null | undefined) => formatTime(s, lang);

  const slot = (name: 'a' | 'b') => {
    const s = v!.slots;
    return (
      <Card size="small" title={t('slot', { name: name.toUpperCase() })} data-testid={`slot-${name}`}>
        <Space orientation="vertical">
          <Typography.Text strong>{s[name].version || t('slotEmpty')}</Typography.Text>
          <Space>
            {s.active === name && <Tag color="green">{t('slotActive')}</Tag>}
            {s.booted === name && <Tag color="blue">{t('slotBooted')}</Tag>}
          </Space>
        </Space>
      </Card>
    );
  };

  const history = (d: DeploymentView) => (
    <Table<StatusEntry>
      rowKey={(_, i) => String(i)}
      size="small"
      pagination={false}
      dataSource={d.history}
      columns={[
        { title: t('updated'), dataIndex: 'time', render: time },
        { title: t('execution'), dataIndex: 'execution', render: (x: string) => t(`execution_${x}`, { defaultValue: x }) },
        { title: t('result'), dataIndex: 'result', render: (r: string) => t(`result_${r}`, { defaultValue: r }) },
        { title: t('code'), dataIndex: 'code', render: (c: number) => (c ? <span title={String(c)}>{tc(`code_${c}`, { defaultValue: String(c) })}</span> : '') },
        { title: t('details'), dataIndex: 'details',
          render: (lines: string[], e: StatusEntry) => lines.map((l, i) => <div key={i}>{said(l, e.code)}</div>) },
      ]}
    />
  );

  return (
    <States loading={view.loading && !v} error={view.error} onRetry={view.reload}>
      {v && (
        <>
          <Space style={{ marginBottom: 8 }}>
            <Link to="/terminals" data-testid="back">← {t('back')}</Link>
          </Space>
          <PageTitle
            title={t('detailTitle', { serial: v.serial })}
            testId="detail-title"
            extra={
              <Space>
                {can(me.role, 'terminal') && org.orgs.length > 1 && (
                  <MoveOrganisation serial={v.serial} orgs={org.orgs} current={org.current}
                                    onMoved={() => { view.reload(); org.reload(); }} />
                )}
                {v.retired && <Tag data-testid="detail-retired">{t('retired')}</Tag>}
                {!v.retired && can(me.role, 'admin') && (
                  <RetireButton serial={v.serial} onDone={view.reload} />
                )}
              </Space>
            }
          />
          {v.retired && (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 16 }}
              data-testid="retired-note"
              title={t('retiredNote', { time: time(v.retired), reason: v.retired_reason })}
            />
          )}
          <Descriptions bordered size="small" column={{ xs: 1, sm: 2, lg: 3 }} style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t('model')}>{v.model}</Descriptions.Item>
            <Descriptions.Item label={t('version')}><span data-testid="detail-version">{v.installed_version || '—'}</span></Descriptions.Item>
            <Descriptions.Item label={t('merchant')}>{v.merchant || '—'}</Descriptions.Item>
            <Descriptions.Item label={t('organisation')}>
              <TerminalOrganisation current={org.current} />
            </Descriptions.Item>
            <Descriptions.Item label={t('group')}>{v.group || '—'}</Descriptions.Item>
            <Descriptions.Item label={t('online')}>
              <Badge status={v.online ? 'success' : 'default'} text={v.online ? t('onlineYes') : t('onlineNo')} />
            </Descriptions.Item>
            <Descriptions.Item label={t('lastSeen')}>{v.last_seen ? time(v.last_seen) : t('never')}</Descriptions.Item>
            <Descriptions.Item label={t('state')}>
              {v.retired ? (
                <Tag data-testid="detail-state">{t('retired')}</Tag>
              ) : (
                <Tag color={STATE_COLORS[v.state]} data-testid="detail-state">{t(`state_${v.state}`)}</Tag>
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('created')}>{time(v.created)}</Descriptions.Item>
            {v.time_zone && (
              <Descriptions.Item label={t('timeZone')}>
                <span data-testid="detail-time-zone" data-source={v.time_zone_source}>
                  {t('timeZoneValue', { tz: v.time_zone,
                                        source: t(`tzSource_${v.time_zone_source ?? 'fleet'}`, { defaultValue: v.time_zone_source }) })}
                </span>
              </Descriptions.Item>
            )}
          </Descriptions>
          <Typography.Paragraph type="secondary">{t('timesIn', { tz: userTimeZone() })}</Typography.Paragraph>

          <HealthCard serial={v.serial} />

          <LockCard serial={v.serial} canControl={!v.retired && can(me.role, 'control')} />
          <ActionsCard serial={v.serial} canRequest={!v.retired && can(me.role, 'control')} canDownload={can(me.role, 'control')} />

          <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
            <Col xs={24} lg={12}>
              <Card title={t('slots')} data-testid="slots">
                {v.slots.reported ? (
                  <Row gutter={12}>
                    <Col span={12}>{slot('a')}</Col>
                    <Col span={12}>{slot('b')}</Col>
                  </Row>
                ) : (
                  <Empty description={t('slotsNotReported')} />
                )}
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card title={t('progress')} data-testid="progress" extra={v.progress?.active && <Tag color="processing">{t('autoRefresh')}</Tag>}>
                {v.progress ? (
                  <Space orientation="vertical" style={{ width: '100%' }}>
                    <Typography.Text>{t('progressOf', { release: v.progress.release, id: v.progress.deployment })}</Typography.Text>
                    <Progress
                      percent={v.progress.percent}
                      format={(p) => `${p}%`}
                      data-testid="progress-bar"
                      status={
                        v.progress.result === 'failure' ? 'exception' : v.progress.active ? 'active' : v.progress.result === 'success' ? 'success' : 'normal'
                      }
                    />
                    {v.progress.total > 0 && (
                      <Typography.Text type="secondary">
                        {t('downloaded', { bytes: formatSize(v.progress.bytes), total: formatSize(v.progress.total) })}
                      </Typography.Text>
                    )}
                    <Typography.Text data-testid="progress-line">
                      {t('lastLine')}: {v.progress.line ? said(v.progress.line) : t(`status_${v.progress.status}`)} ({time(v.progress.time)})
                    </Typography.Text>
                  </Space>
                ) : (
                  <Empty description={t('noUpdate')} />
                )}
              </Card>
            </Col>
          </Row>

          <CertificatesCard serial={v.serial} canRevoke={can(me.role, 'admin')} />

          <Card title={t('policyTitle')} style={{ marginBottom: 16 }} data-testid="policy">
            <PolicyPanel serial={v.serial} me={me} onChanged={view.reload} />
          </Card>

          <ParametersCard serial={v.serial} />

          <Card title={t('deployments')} style={{ marginBottom: 16 }}>
            <Table<DeploymentView>
              rowKey="id"
              size="small"
              data-testid="deployments"
              scroll={{ x: 720 }}
              dataSource={v.deployments}
              locale={{ emptyText: t('noDeployments') }}
              pagination={{ pageSize: 5 }}
              expandable={{ expandedRowRender: history }}
              columns={[
                { title: '#', dataIndex: 'id' },
                { title: t('release'), dataIndex: 'release' },
                { title: t('status'), dataIndex: 'status', render: (s: string) => t(`status_${s}`, { defaultValue: s }) },
                { title: t('phase'), dataIndex: 'phase',
                  render: (p: string | undefined, d: DeploymentView) => (p ? (
                    <span data-testid={`deployment-phase-${d.id}`} data-phase={p}>
                      {tc(`phase_${p}`, { defaultValue: p })}
                      {d.rollout_id ? <> · <Link to={`/rollouts/${d.rollout_id}`}>{t('rollout')} #{d.rollout_id}</Link></> : null}
                    </span>
                  ) : '—') },
                { title: t('result'), dataIndex: 'result', render: (r: string) => t(`result_${r}`, { defaultValue: r }) },
                { title: t('message'), dataIndex: 'message',
                  render: (m: string, d: DeploymentView) => said(m, d.history[d.history.length - 1]?.code) },
                { title: t('updated'), dataIndex: 'updated', render: time },
              ]}
            />
          </Card>

          <Row gutter={[16, 16]}>
            <Col xs={24} lg={12}>
              <Card title={t('notifications')}>
                <Table
                  rowKey="id"
                  size="small"
                  data-testid="notifications"
                  dataSource={v.notifications}
                  locale={{ emptyText: t('noNotifications') }}
                  pagination={{ pageSize: 5 }}
                  columns={[
                    { title: t('updated'), dataIndex: 'time', render: time, width: 170 },
                    { title: t('text'), key: 'text', render: (_: unknown, n: TerminalView['notifications'][number]) => (lang === 'en' ? n.text.en : n.text['zh-CN']) },
                  ]}
                />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card title={t('tickets')}>
                <Table
                  rowKey="id"
                  size="small"
                  data-testid="tickets"
                  dataSource={v.tickets}
                  locale={{ emptyText: t('noTickets') }}
                  pagination={{ pageSize: 5 }}
                  columns={[
                    { title: '#', dataIndex: 'id', width: 60 },
                    { title: t('status'), dataIndex: 'status', render: (s: string) => t(`ticketStatus_${s}`, { defaultValue: s }) },
                    { title: t('message'), dataIndex: 'message' },
                    { title: t('note'), dataIndex: 'note' },
                    { title: t('updated'), dataIndex: 'updated', render: time },
                  ]}
                />
              </Card>
            </Col>
          </Row>
        </>
      )}
    </States>
  );
}
