// A terminal's health (健康状况, GET /api/v1/terminals/{serial}/health): its latest report —
// battery and whether it charges, free storage of the whole, network and signal, uptime, the
// time of its last sale, the versions it runs and when it reported (times in the reader's zone)
// — with the fleet's three conditions as tags (core/health.h has the figures), and charts of its
// history over 1, 7 or 30 days (no longer than the server keeps it). Only posfleet's agent
// reports, with its polls; until it has, the card says so. Read-only for every role; read again
// every 30 s. The charts load on their own (HealthChart.tsx), so ECharts stays out of the page.
import { lazy, Suspense, useState } from 'react';
import { Alert, Card, Descriptions, Empty, Radio, Space, Spin, Tag, Tooltip, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../../common/time';
import { useApi } from '../../common/useApi';
import { HEALTH_CONDITIONS } from './filters';
import type { HealthReport, TerminalHealth } from './types';

const HealthChart = lazy(() => import('./HealthChart'));

export const REFRESH_MS = 30000;
const DAY_CHOICES = [1, 7, 30];
const GiB = 2 ** 30;
const MiB = 2 ** 20;

// Storage as the terminal counts it, in binary units (the low-storage mark is 256 MiB): GB with
// one decimal from 1 GB, whole MB below.
export function formatStorage(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  return bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GB` : `${Math.round(bytes / MiB)} MB`;
}

// How long the terminal has been up: days and hours, hours alone under a day, minutes under an hour.
export function formatUptime(seconds: number, t: TFunction): string {
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  if (days > 0) return t('uptimeDays', { days, hours });
  if (hours > 0) return t('uptimeHours', { hours });
  return t('uptimeMinutes', { minutes: Math.floor(seconds / 60) });
}

// An interval the server names in seconds, in minutes when it is whole minutes.
export function formatEvery(seconds: number, t: TFunction): string {
  return seconds >= 60 && seconds % 60 === 0
    ? t('everyMinutes', { count: seconds / 60 })
    : t('everySeconds', { count: seconds });
}

// The day choices the server keeps history for: 1, 7 and 30, none longer than the retention.
export function dayChoices(retention: number): number[] {
  return [...new Set(DAY_CHOICES.map((d) => Math.max(1, Math.min(d, retention))))];
}

export default function HealthCard({ serial }: { serial: string }) {
  const { t, i18n } = useTranslation('terminals');
  const lang = i18n.language;
  const [days, setDays] = useState(7);
  const view = useApi<TerminalHealth>(`/terminals/${encodeURIComponent(serial)}/health?days=${days}`, REFRESH_MS);
  const h = view.data;
  const latest = h?.latest ?? null;
  const history = h?.history ?? [];
  const time = (s: string | null | undefined) => formatTime(s, lang);
  const unread = <Typography.Text type="secondary">{t('healthUnread')}</Typography.Text>;

  const battery = (r: HealthReport) =>
    r.battery === undefined ? unread : (
      <Space size={4}>
        <span data-testid="health-battery" data-percent={r.battery}>{r.battery}%</span>
        {r.charging !== undefined && (
          <Typography.Text type="secondary">{r.charging ? t('healthCharging') : t('healthOnBattery')}</Typography.Text>
        )}
      </Space>
    );

  const storage = (r: HealthReport) => {
    if (r.storage_free === undefined) return unread;
    const free = formatStorage(r.storage_free);
    return (
      <span data-testid="health-storage">
        {r.storage_total
          ? t('healthStorageOf', { free, total: formatStorage(r.storage_total),
                                   percent: Math.round((r.storage_free / r.storage_total) * 100) })
          : t('healthStorageFree', { free })}
      </span>
    );
  };

  const network = (r: HealthReport) => {
    if (!r.network) return unread;
    const kind = t(`network_${r.network}`, { defaultValue: r.network });
    return (
      <span data-testid="health-network" data-kind={r.network}>
        {r.signal !== undefined && r.network !== 'offline' ? t('healthSignal', { network: kind, percent: r.signal }) : kind}
      </span>
    );
  };

  const apps = Object.entries(latest?.apps ?? {});
  const conditions = latest ? HEALTH_CONDITIONS.filter((c) => latest[c]) : [];
  const choices = dayChoices(h?.retention_days ?? 30);

  return (
    <Card title={t('healthCard')} style={{ marginBottom: 16 }} data-testid="terminal-health"
          loading={view.loading && !h && !view.error}
          extra={<Typography.Text type="secondary">{t('healthRefresh')}</Typography.Text>}>
      {view.error && <Alert type="error" showIcon title={view.error} style={{ marginBottom: 12 }} />}
      {h && !latest && (
        <Empty data-testid="health-none" description={t('healthNone', { every: formatEvery(h.every_seconds, t) })} />
      )}
      {latest && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Space wrap data-testid="health-conditions" data-conditions={conditions.join(' ')}>
            {conditions.length === 0 ? (
              <Tag color="green">{t('healthOk')}</Tag>
            ) : conditions.map((c) => (
              <Tooltip key={c} title={t(`healthWhy_${c}`)}>
                <Tag color={c === 'weak_signal' ? 'orange' : 'red'} data-testid={`health-${c}`}>{t(`health_${c}`)}</Tag>
              </Tooltip>
            ))}
          </Space>
          <Descriptions bordered size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
            <Descriptions.Item label={t('healthBattery')}>{battery(latest)}</Descriptions.Item>
            <Descriptions.Item label={t('healthStorage')}>{storage(latest)}</Descriptions.Item>
            <Descriptions.Item label={t('healthNetwork')}>{network(latest)}</Descriptions.Item>
            <Descriptions.Item label={t('healthUptime')}>
              {latest.uptime === undefined ? unread : <span data-testid="health-uptime">{formatUptime(latest.uptime, t)}</span>}
            </Descriptions.Item>
            <Descriptions.Item label={t('healthLastSale')}>
              <span data-testid="health-last-sale">{latest.last_sale ? time(latest.last_sale) : t('healthNoSale')}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('healthReported')}>
              <span data-testid="health-time">{time(latest.time)}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('healthApps')} span="filled">
              <span data-testid="health-apps">
                {apps.length === 0 ? unread : apps.map(([name, version]) => <Tag key={name}>{name} {version}</Tag>)}
              </span>
            </Descriptions.Item>
          </Descriptions>
        </Space>
      )}
      {h && (
        <div style={{ marginTop: 16 }}>
          <Space wrap style={{ marginBottom: 8 }}>
            <Typography.Text strong>{t('healthHistory')}</Typography.Text>
            <Radio.Group optionType="button" size="small" value={days} onChange={(e) => setDays(e.target.value)}
                         options={choices.map((d) => ({
                           value: d, label: <span data-testid={`health-days-${d}`}>{t('healthDays', { count: d })}</span> }))} />
            <Typography.Text type="secondary" data-testid="health-history-note">
              {t('healthHistoryNote', { count: history.length, every: formatEvery(h.history_seconds, t),
                                        days: h.retention_days })}
            </Typography.Text>
          </Space>
          {history.length > 0 ? (
            <Suspense fallback={<Spin />}>
              <HealthChart history={history} />
            </Suspense>
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('healthNoHistory')} />
          )}
        </div>
      )}
    </Card>
  );
}
