// One rollout (/rollouts/:id): its state and why, the actions its state
// allows (each asking for a reason; approve hidden from the creator — the
// two-person rule — with the server's refusal shown if it comes anyway), the
// kill switch for its release, per wave the rule and the terminals counted by
// state, a chart over time, and the terminals themselves (each linking to its
// page, with its last message). Refreshes every 5 s.
import { lazy, Suspense, useState } from 'react';
import { Alert, Button, Card, Descriptions, Select, Space, Spin, Table, Tag, Typography } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, ApiError, Me } from '../../api';
import { can } from '../../access';
import PageTitle from '../../common/PageTitle';
import States from '../../common/States';
import { agentLine } from '../../common/agentText';
import { errorText } from '../../common/errors';
import { formatSize } from '../../common/sizes';
import { userTimeZone } from '../../common/time';
import { useApi } from '../../common/useApi';
import KillSwitch from './KillSwitch';
import ReasonModal from './ReasonModal';
import type { Sample } from './HistoryChart';
import { PHASE_COLORS, PHASES, Rollout, RolloutTerminal, STATE_COLORS, unixTime, Wave } from './types';
import { specText, targetText } from './words';

const HistoryChart = lazy(() => import('./HistoryChart'));

type Action = 'start' | 'approve' | 'pause' | 'resume' | 'cancel' | 'retry';
const ENDED = ['finished', 'canceled', 'stopped'];

// Which actions a rollout's state allows (the server decides again).
export function actionsFor(r: Rollout): Action[] {
  const s = r.state;
  const out: Action[] = [];
  if (s === 'draft' || s === 'scheduled') out.push('start');
  if (s === 'waiting_approval') out.push('approve');
  if (s === 'running' || s === 'waiting_approval' || s === 'scheduled') out.push('pause');
  if (s === 'paused') out.push('resume');
  const failed = r.waves.some((w) => (w.counts?.failed ?? 0) + (w.counts?.timed_out ?? 0) > 0);
  if (failed && r.started && s !== 'canceled' && s !== 'stopped') out.push('retry');
  if (!ENDED.includes(s)) out.push('cancel');
  return out;
}

const PAGE = 20;

export default function RolloutDetail({ me }: { me: Me }) {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation('rollouts');
  const { t: tc } = useTranslation();
  const lang = i18n.language;
  const r = useApi<Rollout>(`/rollouts/${encodeURIComponent(id)}`, 5000);
  const history = useApi<{ samples: Sample[] }>(`/rollouts/${encodeURIComponent(id)}/history`, 10000);
  const [wave, setWave] = useState<number | ''>('');
  const [phase, setPhase] = useState('');
  const [page, setPage] = useState(1);
  const q = new URLSearchParams({ limit: String(PAGE), offset: String((page - 1) * PAGE) });
  if (wave !== '') q.set('wave', String(wave));
  if (phase) q.set('phase', phase);
  const terms = useApi<{ terminals: RolloutTerminal[]; total: number }>(`/rollouts/${encodeURIComponent(id)}/terminals?${q}`, 5000);
  const [action, setAction] = useState<Action | null>(null);
  const [notice, setNotice] = useState('');
  const canDeploy = can(me.role, 'deploy');
  const d = r.data;

  const run = async (a: Action, reason: string): Promise<string> => {
    try {
      await api<Rollout>('POST', `/rollouts/${encodeURIComponent(id)}/${a}`, { reason });
      setNotice(t('actionDone', { action: t(`action_${a}`) }));
      r.reload();
      terms.reload();
      history.reload();
      return '';
    } catch (e) {
      if (a === 'approve' && e instanceof ApiError && (e.code === 'two_person_rule' || e.status === 403))
        return t('twoPerson', { creator: d?.created_by ?? '' });
      return errorText(tc, e);
    }
  };

  const actions = d && canDeploy ? actionsFor(d) : [];
  const mine = d?.created_by === me.name;
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Link to="/rollouts" data-testid="rollout-back"><ArrowLeftOutlined /> {t('back')}</Link>
      <PageTitle
        title={d ? `${t('title')} #${d.id}${d.name ? ` · ${d.name}` : ''}` : t('title')}
        testId="rollout-title"
        // The kill switch stops the release fleet-wide: the acquirer's.
        extra={d && can(me.role, 'release') && me.whole_tree !== false && d.state !== 'stopped' && (
          <KillSwitch version={d.release} onStopped={(m) => { setNotice(m); r.reload(); }} />
        )}
      />
      <States loading={r.loading && !d} error={d ? '' : r.error} onRetry={r.reload}>
        {d && (
          <>
            <Descriptions size="small" bordered column={{ xs: 1, md: 2 }} data-testid="rollout-summary">
              <Descriptions.Item label={t('release')}><span data-testid="rollout-release">{d.release}</span></Descriptions.Item>
              <Descriptions.Item label={t('state')}>
                <Tag color={STATE_COLORS[d.state]} data-testid="rollout-state" data-state={d.state}>
                  {t(`state_${d.state}`, { defaultValue: d.state })}
                </Tag>
                {d.state_reason && <Typography.Text type="secondary" data-testid="rollout-reason">{d.state_reason}</Typography.Text>}
              </Descriptions.Item>
              <Descriptions.Item label={t('target')}>{targetText(t, d.target)}</Descriptions.Item>
              <Descriptions.Item label={t('creator')}><span data-testid="rollout-creator">{d.created_by}</span></Descriptions.Item>
              <Descriptions.Item label={t('created')}>{unixTime(d.created, lang)}</Descriptions.Item>
              <Descriptions.Item label={t('start')}>
                <span data-testid="rollout-start">{unixTime(d.started ?? d.start_at, lang) || '—'}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('currentWave')}>{t('wave', { n: d.current_wave + 1 })} / {d.waves.length}</Descriptions.Item>
              <Descriptions.Item label={t('progress')}>{t('progressText', d.progress ?? { total: 0, success: 0, failed: 0 })}</Descriptions.Item>
              {d.release_bytes && d.release_bytes.full > 0 && (
                <Descriptions.Item label={t('releaseBytes')}>
                  <span data-testid="rollout-bytes" data-sent={d.release_bytes.sent} data-full={d.release_bytes.full}>
                    {t('releaseBytesText', { sent: formatSize(d.release_bytes.sent), full: formatSize(d.release_bytes.full) })}
                  </span>
                  {d.release_bytes.sent < d.release_bytes.full && (
                    <Tag color="success" style={{ marginLeft: 8 }} data-testid="rollout-bytes-saved">
                      {t('releaseBytesSaved', { percent: Math.round((100 * (d.release_bytes.full - d.release_bytes.sent)) / d.release_bytes.full) })}
                    </Tag>
                  )}
                </Descriptions.Item>
              )}
            </Descriptions>
            <Typography.Text type="secondary">{t('timeNote', { tz: userTimeZone() })} · {t('liveNote')}</Typography.Text>
            {notice && <Alert type="success" title={notice} closable onClose={() => setNotice('')} data-testid="action-notice" />}
            {r.error && <Alert type="warning" title={r.error} />}
            {actions.length > 0 && (
              <Space wrap data-testid="rollout-actions">
                {actions.map((a) =>
                  a === 'approve' && mine ? (
                    <Typography.Text type="warning" key={a} data-testid="approve-not-mine">{t('creatorCannotApprove')}</Typography.Text>
                  ) : (
                    <Button key={a} onClick={() => setAction(a)} danger={a === 'cancel'} type={a === 'approve' ? 'primary' : 'default'}
                            data-testid={`action-${a}`}>
                      {t(`action_${a}`)}
                    </Button>
                  ),
                )}
              </Space>
            )}
            {action && (
              <ReasonModal title={t(`actionTitle_${action}`)} okText={t(`action_${action}`)} danger={action === 'cancel'}
                           testId={`prompt-${action}`} onRun={(reason) => run(action, reason)} onClose={() => setAction(null)} />
            )}

            <Space orientation="vertical" style={{ width: '100%' }} data-testid="waves">
              {d.waves.map((w) => <WaveCard key={w.index} w={w} lang={lang} />)}
            </Space>

            <Card title={t('chart')} size="small">
              {(history.data?.samples.length ?? 0) === 0 ? (
                <Typography.Text type="secondary" data-testid="no-history">{t('noHistory')}</Typography.Text>
              ) : (
                <Suspense fallback={<Spin />}>
                  <HistoryChart samples={history.data!.samples} />
                </Suspense>
              )}
            </Card>

            <Card title={t('terminals')} size="small"
                  extra={(
                    <Space wrap>
                      <Select value={wave} onChange={(v) => { setWave(v); setPage(1); }} style={{ width: 120 }} data-testid="terms-wave"
                              options={[{ value: '', label: t('any') },
                                        ...d.waves.map((w) => ({ value: w.index, label: t('wave', { n: w.index + 1 }) }))]} />
                      <Select value={phase} onChange={(v) => { setPhase(v); setPage(1); }} style={{ width: 160 }} data-testid="terms-phase"
                              options={[{ value: '', label: t('any') }, ...PHASES.map((p) => ({ value: p, label: tc(`phase_${p}`) }))]} />
                    </Space>
                  )}>
              <Table<RolloutTerminal>
                rowKey={(x) => `${x.serial}-${x.deployment_id ?? ''}`}
                size="small"
                data-testid="rollout-terminals"
                dataSource={terms.data?.terminals ?? []}
                loading={terms.loading && !terms.data}
                scroll={{ x: 720 }}
                locale={{ emptyText: t('noTerminals') }}
                pagination={{ current: page, pageSize: PAGE, total: terms.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
                columns={[
                  { title: t('terminal'), dataIndex: 'serial',
                    render: (s: string) => <Link to={`/terminals/${encodeURIComponent(s)}`} data-testid={`term-${s}`}>{s}</Link> },
                  { title: t('waveCol'), dataIndex: 'wave', render: (n: number) => n + 1 },
                  { title: t('phase'), dataIndex: 'phase',
                    render: (p: string, x) => (
                      <Tag color={PHASE_COLORS[p]} data-testid={`term-phase-${x.serial}`} data-phase={p}>{tc(`phase_${p}`, { defaultValue: p })}</Tag>
                    ) },
                  { title: t('since'), dataIndex: 'phase_since', render: (s: number | null) => unixTime(s, lang) },
                  { title: t('message'), dataIndex: 'message', ellipsis: true,
                    render: (m: string, x) => (
                      <span title={m} data-testid={`term-message-${x.serial}`}
                            style={{ color: x.phase === 'failed' || x.phase === 'timed_out' ? '#cf1322' : undefined }}>
                        {m ? agentLine(tc, lang, m) : ''}
                      </span>
                    ) },
                ]}
              />
            </Card>
          </>
        )}
      </States>
    </Space>
  );
}

function WaveCard({ w, lang }: { w: Wave; lang: string }) {
  const { t } = useTranslation('rollouts');
  const { t: tc } = useTranslation();
  const extra = [
    t('waveTerminals', { n: w.terminals }),
    w.started ? t('waveStarted', { time: unixTime(w.started, lang) }) : '',
    w.soak_until ? t('soakUntil', { time: unixTime(w.soak_until, lang) }) : '',
    w.approved_by ? t('approvedBy', { who: w.approved_by, time: unixTime(w.approved_at, lang) }) : '',
  ].filter(Boolean).join(' · ');
  return (
    <Card size="small" data-testid={`wave-card-${w.index}`} data-state={w.state}
          title={(
            <Space wrap>
              {t('wave', { n: w.index + 1 })}
              <Tag data-testid={`wave-state-${w.index}`}>{t(`waveState_${w.state}`, { defaultValue: w.state })}</Tag>
              <Typography.Text type="secondary" style={{ fontWeight: 'normal' }}>{extra}</Typography.Text>
            </Space>
          )}>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>{specText(t, w.spec ?? {})}</Typography.Paragraph>
      <Space wrap size={[16, 4]} data-testid={`wave-counts-${w.index}`}>
        {PHASES.filter((p) => p !== 'canceled' || (w.counts?.canceled ?? 0) > 0).map((p) => (
          <span key={p} data-testid={`wave-${w.index}-count-${p}`} data-count={w.counts?.[p] ?? 0}>
            <span style={{ display: 'inline-block', width: 8, height: 8, borderRadius: 4, background: PHASE_COLORS[p], marginRight: 4 }} />
            {tc(`phase_${p}`)} <strong>{w.counts?.[p] ?? 0}</strong>
          </span>
        ))}
      </Space>
    </Card>
  );
}
