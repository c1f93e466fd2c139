// The audit log: filters (actor, path, terminal, a time range picked in the
// user's time zone and sent as UTC), a paged table newest first with before
// and after in each row's expansion, export of what the filters match (CSV or
// JSON Lines from the server; Excel made here from the JSON Lines, exportAudit.ts)
// and the hash chain's status.
import { useState } from 'react';
import { Button, Card, DatePicker, Form, Input, Select, Space, Table, Typography, Tag } from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import PageTitle from '../../common/PageTitle';
import { actionText, targetText } from './actions';
import type { Me } from '../../api';
import States from '../../common/States';
import { formatTime, userTimeZone } from '../../common/time';
import { useApi } from '../../common/useApi';
import ChainStatus from './ChainStatus';
import ExportButtons from '../../common/ExportButtons';
import { collectAudit, Entry } from './exportAudit';

interface Filters {
  actor?: string;
  path?: string;
  terminal?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

const PAGE = 20;
const PATHS = ['console', 'terminal', 'support', 'public'];

// "2026-11-24T08:00:00Z": the server's form of a UTC time (no milliseconds).
export function utc(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function filterParams(f: Filters): URLSearchParams {
  const p = new URLSearchParams();
  if (f.actor?.trim()) p.set('actor', f.actor.trim());
  if (f.path) p.set('path', f.path);
  if (f.terminal?.trim()) p.set('terminal', f.terminal.trim());
  const [from, to] = f.range ?? [null, null];
  if (from) p.set('from', utc(from.second(0).toDate()));
  if (to) p.set('to', utc(to.second(59).toDate()));
  return p;
}

export default function AuditLog({ me }: { me: Me }) {
  const { t } = useTranslation();
  const { t: ta, i18n } = useTranslation('audit');
  const [form] = Form.useForm<Filters>();
  const [filters, setFilters] = useState<URLSearchParams>(new URLSearchParams());
  const [page, setPage] = useState(1);
  const query = new URLSearchParams(filters);
  query.set('order', 'desc');
  query.set('offset', String((page - 1) * PAGE));
  query.set('limit', String(PAGE));
  const entries = useApi<{ entries: Entry[]; total: number }>(`/audit?${query}`);
  const exportHref = (format: string) => {
    const p = new URLSearchParams(filters);
    p.set('format', format);
    return `/api/v1/audit/export?${p}`;
  };
  const apply = (f: Filters) => {
    setFilters(filterParams(f));
    setPage(1);
  };
  const text = (v: string) => v || ta('none');

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <PageTitle title={ta('title')} />
      {/* The chain check reads the whole log: the acquirer's (a reseller reads its own entries). */}
      {me.whole_tree !== false && <ChainStatus />}
      <Card title={ta('entries')} extra={<Typography.Text type="secondary">{t('timeZoneNote', { tz: userTimeZone() })}</Typography.Text>}>
        <Form form={form} layout="inline" onFinish={apply} style={{ marginBottom: 16, rowGap: 8 }}>
          <Form.Item name="actor" label={ta('actor')}>
            <Input allowClear placeholder={ta('actorPlaceholder')} data-testid="audit-actor" style={{ width: 180 }} />
          </Form.Item>
          <Form.Item name="path" label={ta('path')}>
            <Select allowClear placeholder={ta('anyPath')} data-testid="audit-path" style={{ width: 140 }}
                    options={PATHS.map((p) => ({ value: p, label: ta(`path_${p}`) }))} />
          </Form.Item>
          <Form.Item name="terminal" label={ta('terminal')}>
            <Input allowClear data-testid="audit-terminal" style={{ width: 150 }} />
          </Form.Item>
          <Form.Item name="range" label={ta('timeRange')}>
            <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" allowEmpty={[true, true]}
                                    placeholder={[ta('rangeStart'), ta('rangeEnd')]} data-testid="audit-range" />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" data-testid="audit-filter">{ta('filter')}</Button>
            <Button onClick={() => { form.resetFields(); apply({}); }} data-testid="audit-reset">{ta('reset')}</Button>
          </Space>
        </Form>
        <Space wrap style={{ marginBottom: 12 }}>
          <Button href={exportHref('csv')} download data-testid="export-csv">{ta('exportCsv')}</Button>
          <Button href={exportHref('jsonl')} download data-testid="export-jsonl">{ta('exportJsonl')}</Button>
          <ExportButtons testId="export-audit" base="audit" sheet={ta('exportSheet')} formats={['xlsx']}
                         collect={collectAudit(filters, entries.data?.total, ta, t, i18n.language)} />
          <Typography.Text type="secondary">{ta('exportNote')}</Typography.Text>
          {entries.data && <Typography.Text data-testid="audit-total">{ta('total', { n: entries.data.total })}</Typography.Text>}
        </Space>
        <States loading={entries.loading} error={entries.error} onRetry={entries.reload}>
          <Table<Entry>
            rowKey="id"
            size="small"
            data-testid="audit-table"
            scroll={{ x: 900 }}
            loading={entries.loading}
            dataSource={entries.data?.entries ?? []}
            locale={{ emptyText: ta('empty') }}
            pagination={{ current: page, pageSize: PAGE, total: entries.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
            expandable={{
              expandedRowRender: (e) => (
                <Space orientation="vertical" style={{ width: '100%' }}>
                  <div><Typography.Text strong>{ta('before')}：</Typography.Text><pre style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{text(e.before)}</pre></div>
                  <div><Typography.Text strong>{ta('after')}：</Typography.Text><pre style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{text(e.after)}</pre></div>
                </Space>
              ),
            }}
            columns={[
              { title: '#', dataIndex: 'id', width: 70 },
              { title: ta('time'), dataIndex: 'time_utc', width: 170, render: (v: string) => formatTime(v, i18n.language) },
              { title: ta('actor'), dataIndex: 'actor', render: (v: string, e: Entry) => (
                // An API token acts under its own name (token:NAME), not its maker's.
                e.actor_kind === 'token'
                  ? <span title={e.actor_kind} data-testid="audit-token-actor"><Tag color="purple">{ta('tokenActor')}</Tag>{v.replace(/^token:/, '')}</span>
                  : <span title={e.actor_kind}>{v}</span>) },
              { title: ta('path'), dataIndex: 'path', render: (v: string) => ta(`path_${v}`, { defaultValue: v }) },
              { title: ta('action'), dataIndex: 'action',
                render: (v: string) => <span title={v} data-action={v}>{actionText(v, i18n.language)}</span> },
              { title: ta('target'), dataIndex: 'target', render: (v: string) => targetText(v, i18n.language) },
              { title: ta('reason'), dataIndex: 'reason', ellipsis: true },
              { title: ta('address'), dataIndex: 'address', width: 150,
                render: (v: string) => <span data-testid="audit-address">{v || ta('noAddress')}</span> },
            ]}
          />
        </States>
      </Card>
    </Space>
  );
}
