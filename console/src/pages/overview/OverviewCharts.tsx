// The overview's five charts. A click on a slice or bar opens the terminal
// list with the matching filter (types.ts terminalsLink).
import { useMemo } from 'react';
import { Card, Col, Empty, Row } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { formatTime } from '../../common/time';
import Chart, { ChartClick } from './Chart';
import { OverviewData, terminalsLink } from './types';

const COLORS = { success: '#52c41a', failed: '#ff4d4f', rolled_back: '#faad14', online: '#52c41a', offline: '#bfbfbf' };
const MODE_COLORS = { auto: '#1677ff', manual: '#faad14', never: '#ff4d4f' };
const OUTCOMES = ['success', 'failed', 'rolled_back'] as const;
const MODES = ['auto', 'manual', 'never'] as const;

export default function OverviewCharts({ data }: { data: OverviewData }) {
  const { t, i18n } = useTranslation('overview');
  const navigate = useNavigate();
  const go = (filter: Record<string, string>) => navigate(terminalsLink(filter));
  const lang = i18n.language;

  const online = useMemo(
    () => ({
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: ['45%', '70%'],
          label: { formatter: '{b}: {c}' },
          data: [
            { name: t('online'), value: data.online, key: 'true', itemStyle: { color: COLORS.online } },
            { name: t('offline'), value: data.offline, key: 'false', itemStyle: { color: COLORS.offline } },
          ],
        },
      ],
    }),
    [data, t],
  );

  // One stacked bar per model; each version of it is one part of the stack.
  const models = useMemo(() => [...new Set(data.versions.map((v) => v.model))], [data]);
  const versionNames = useMemo(() => [...new Set(data.versions.map((v) => v.version))], [data]);
  const versions = useMemo(
    () => ({
      tooltip: { trigger: 'item', formatter: '{b} {a}: {c}' },
      legend: { bottom: 0, type: 'scroll' },
      grid: { left: 40, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: models },
      yAxis: { type: 'value', minInterval: 1 },
      series: versionNames.map((v) => ({
        name: v || t('noVersion'),
        type: 'bar',
        stack: 'versions',
        barMaxWidth: 64,
        barMinHeight: 6, // a version on a few terminals stays visible and clickable
        data: models.map((m) => data.versions.find((x) => x.model === m && x.version === v)?.count ?? '-'),
      })),
    }),
    [data, models, versionNames, t],
  );

  const outcomes = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: data.outcomes.map((d) => d.day.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: OUTCOMES.map((k) => ({
        name: t(k),
        type: 'bar',
        stack: 'outcomes',
        itemStyle: { color: COLORS[k] },
        data: data.outcomes.map((d) => d[k] || '-'),
      })),
    }),
    [data, t],
  );

  const modes = useMemo(
    () => ({
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: '65%',
          label: { formatter: '{b}: {c}' },
          data: MODES.map((m) => ({ name: t(`mode_${m}`), value: data.modes[m], key: m, itemStyle: { color: MODE_COLORS[m] } })),
        },
      ],
    }),
    [data, t],
  );

  const security = useMemo(
    () => ({
      tooltip: { trigger: 'item' },
      grid: { left: 16, right: 48, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: {
        type: 'category',
        inverse: true,
        data: data.security.map((s) => `${s.version}\n${t('deadline', { time: formatTime(s.deadline, lang) })}`),
      },
      series: [
        {
          name: t('pending'),
          type: 'bar',
          barMaxWidth: 28,
          itemStyle: { color: '#ff7a45' },
          label: { show: true, position: 'right' },
          data: data.security.map((s) => ({ value: s.pending, version: s.version })),
        },
      ],
    }),
    [data, t, lang],
  );

  const hasOutcomes = data.outcomes.some((d) => d.success + d.failed + d.rolled_back > 0);
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={12}>
        <Card title={t('onlineChart')}>
          <Chart testId="chart-online" option={online}
                 onClick={(p: ChartClick) => go({ online: (p.data as { key: string }).key })} />
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card title={t('modesChart')}>
          <Chart testId="chart-modes" option={modes}
                 onClick={(p: ChartClick) => go({ mode: (p.data as { key: string }).key })} />
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card title={t('versionsChart')}>
          <Chart
            testId="chart-versions"
            option={versions}
            onClick={(p: ChartClick) => {
              const version = versionNames[p.seriesIndex ?? 0];
              go(version ? { model: p.name, version } : { model: p.name });
            }}
          />
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card title={t('outcomesChart')}>
          {hasOutcomes ? (
            <Chart testId="chart-outcomes" option={outcomes}
                   onClick={(p: ChartClick) => go({ state: OUTCOMES[p.seriesIndex ?? 0] === 'success' ? 'success' : 'failed' })} />
          ) : (
            <Empty description={t('noOutcomes')} data-testid="outcomes-empty" />
          )}
        </Card>
      </Col>
      <Col xs={24}>
        <Card title={t('securityChart')}>
          {data.security.length ? (
            <Chart testId="chart-security" option={security} height={Math.max(120, 56 * data.security.length + 24)}
                   onClick={(p: ChartClick) => go({ pending: (p.data as { version: string }).version })} />
          ) : (
            <Empty description={t('noSecurity')} data-testid="security-empty" />
          )}
        </Card>
      </Col>
    </Row>
  );
}
