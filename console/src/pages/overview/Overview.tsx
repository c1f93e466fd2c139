// The overview: the fleet in figures — online and offline, versions by model,
// update outcomes over 14 days, the policy mix and pending security deadlines.
// Every figure and chart element leads to the terminal list filtered to it.
// Refreshes every 10 s. The charts load on their own so ECharts stays out of
// the rest of the console.
import { lazy, Suspense, useState } from 'react';
import { Alert, Button, Card, Col, Row, Space, Spin, Statistic, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, Me } from '../../api';
import { can } from '../../access';
import { errorText } from '../../common/errors';
import ReasonModal from '../rollouts/ReasonModal';
import States from '../../common/States';
import { useApi } from '../../common/useApi';
import { OverviewData, terminalsLink } from './types';
import PageTitle from '../../common/PageTitle';
import { formatWhen } from '../../common/time';

const OverviewCharts = lazy(() => import('./OverviewCharts'));

export default function Overview({ me }: { me: Me }) {
  const { t, i18n } = useTranslation('overview');
  const { data, loading, error, reload } = useApi<OverviewData>('/overview', 10000);
  const total = data ? data.online + data.offline : 0;
  const { t: tc } = useTranslation();
  const [lifting, setLifting] = useState('');
  // An administrator lifts a release's stop (DELETE /api/v1/releases/{v}/stop, audited with the reason).
  const lift = async (reason: string) => {
    try {
      await api('DELETE', `/releases/${encodeURIComponent(lifting)}/stop`, { reason });
      reload();
      return '';
    } catch (e) {
      return errorText(tc, e);
    }
  };
  return (
    <>
      <PageTitle title={t('title')} />
      <Typography.Paragraph type="secondary">{t('refreshNote')}</Typography.Paragraph>
      {(data?.stopped_releases?.length ?? 0) > 0 && (
        <Space orientation="vertical" style={{ width: '100%', marginBottom: 16 }} data-testid="stopped-releases">
          {data!.stopped_releases!.map((s) => (
            <Alert key={s.version} type="error" showIcon data-testid={`stopped-${s.version}`}
                   title={t('stoppedRelease', { version: s.version, reason: s.reason, by: s.by,
                                                time: formatWhen(s.at, i18n.language) })}
                   description={t('stoppedNote')}
                   action={can(me.role, 'admin') && (
                     <Button size="small" onClick={() => setLifting(s.version)} data-testid={`lift-${s.version}`}>{t('liftStop')}</Button>
                   )} />
          ))}
        </Space>
      )}
      {lifting && (
        <ReasonModal title={t('liftTitle', { version: lifting })} okText={t('liftStop')} testId="lift"
                     onRun={lift} onClose={() => setLifting('')} />
      )}
      <States loading={loading && !data} error={error} onRetry={reload} empty={!!data && total === 0}
              emptyText={t('noTerminals')}>
        {data && (
          <>
            <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
              <Col xs={24} sm={8}>
                <Card>
                  <Link to="/terminals" data-testid="stat-total">
                    <Statistic title={t('total')} value={total} />
                  </Link>
                </Card>
              </Col>
              <Col xs={12} sm={8}>
                <Card>
                  <Link to={terminalsLink({ online: 'true' })} data-testid="stat-online">
                    <Statistic title={t('online')} value={data.online} styles={{ content: { color: '#3f8600' } }} />
                  </Link>
                  <Typography.Text type="secondary">
                    {t('onlineWindow', { minutes: Math.max(1, Math.round(data.online_window_seconds / 60)) })}
                  </Typography.Text>
                </Card>
              </Col>
              <Col xs={12} sm={8}>
                <Card>
                  <Link to={terminalsLink({ online: 'false' })} data-testid="stat-offline">
                    <Statistic title={t('offline')} value={data.offline} styles={{ content: { color: '#cf1322' } }} />
                  </Link>
                </Card>
              </Col>
            </Row>
            <Suspense fallback={<Spin data-testid="loading" />}>
              <OverviewCharts data={data} />
            </Suspense>
          </>
        )}
      </States>
    </>
  );
}
