// The support desk: the queue of tickets terminals opened from 联系客服 (open
// first), a merchant lookup, and — in a ticket's drawer — the terminal, its
// merchant, identity verification, a change on the merchant's behalf, notes
// and closing.
import { useState } from 'react';
import { Button, Card, Input, Segmented, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import PageTitle from '../../common/PageTitle';
import type { Me } from '../../api';
import States from '../../common/States';
import { formatTime, userTimeZone } from '../../common/time';
import { useApi } from '../../common/useApi';
import MerchantLookup from './MerchantLookup';
import TicketDrawer from './TicketDrawer';
import { PolicyTags, Ticket } from './parts';

const PAGE = 20;

export default function SupportDesk(_props: { me: Me }) {
  const { t } = useTranslation();
  const { t: ts, i18n } = useTranslation('support');
  const [status, setStatus] = useState('open');
  const [serial, setSerial] = useState('');
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<number | null>(null);
  const query = new URLSearchParams({ status, serial, offset: String((page - 1) * PAGE), limit: String(PAGE) });
  const tickets = useApi<{ tickets: Ticket[]; total: number }>(`/support/tickets?${query}`, 10000);

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <PageTitle title={ts('title')} />
      {open !== null && <TicketDrawer id={open} onClose={() => setOpen(null)} onChanged={tickets.reload} />}
      <Card title={ts('queue')} extra={<Typography.Text type="secondary">{t('timeZoneNote', { tz: userTimeZone() })}</Typography.Text>}>
        <Space wrap style={{ marginBottom: 12 }}>
          <Segmented
            data-testid="ticket-status-filter"
            value={status}
            onChange={(v) => {
              setStatus(String(v));
              setPage(1);
            }}
            options={['open', 'closed', ''].map((s) => ({ value: s, label: ts(`status_${s || 'all'}`) }))}
          />
          <Input.Search
            allowClear
            placeholder={ts('serialFilter')}
            data-testid="ticket-serial-filter"
            onSearch={(v) => {
              setSerial(v.trim());
              setPage(1);
            }}
            style={{ width: 220 }}
          />
        </Space>
        <States loading={tickets.loading} error={tickets.error} onRetry={tickets.reload}>
          <Table<Ticket>
            rowKey="id"
            size="small"
            scroll={{ x: 800 }}
            data-testid="ticket-table"
            loading={tickets.loading && !tickets.data}
            dataSource={tickets.data?.tickets ?? []}
            locale={{ emptyText: ts('noTickets') }}
            pagination={{ current: page, pageSize: PAGE, total: tickets.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
            onRow={(r) => ({ onClick: () => setOpen(r.id), style: { cursor: 'pointer' } })}
            columns={[
              { title: '#', dataIndex: 'id', width: 60 },
              { title: ts('status'), dataIndex: 'status', width: 90, render: (v: string) => ts(`status_${v}`) },
              { title: ts('serial'), dataIndex: 'terminal' },
              { title: ts('version'), dataIndex: 'version' },
              { title: ts('policySnapshot'), dataIndex: 'policy', render: (p: Ticket['policy']) => <PolicyTags policy={p} /> },
              { title: ts('message'), dataIndex: 'message', ellipsis: true },
              { title: ts('created'), dataIndex: 'created', render: (v: string) => formatTime(v, i18n.language) },
              {
                title: '',
                key: 'open',
                render: (_: unknown, r: Ticket) => (
                  <Button size="small" data-testid={`ticket-open-${r.id}`} onClick={() => setOpen(r.id)}>
                    {ts('open')}
                  </Button>
                ),
              },
            ]}
          />
        </States>
      </Card>
      <MerchantLookup />
    </Space>
  );
}
