// Merchant lookup for the support desk: by legal name, a whole phone number
// or a terminal's serial. The server answers masked records only. A merchant
// who phones in needs no ticket: each of their terminals opens the identity
// check and the change of automatic update (VerifyFlow) from here.
import { useState } from 'react';
import { Alert, Button, Card, Drawer, Form, Input, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { errorText } from '../../common/errors';
import { Merchant } from './parts';
import VerifyFlow from './VerifyFlow';

export default function MerchantLookup() {
  const { t } = useTranslation();
  const { t: ts } = useTranslation('support');
  const [rows, setRows] = useState<Merchant[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState('');
  const [call, setCall] = useState<{ name: string; serial: string } | null>(null);

  const search = async ({ q }: { q: string }) => {
    setLoading(true);
    setError('');
    try {
      const r = await api<{ merchants: Merchant[] }>('GET', `/merchants?q=${encodeURIComponent(q.trim())}`);
      setRows(r.merchants);
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setLoading(false);
    }
  };

  return (
    <Card title={ts('lookup')} extra={<Typography.Text type="secondary">{ts('callNote')}</Typography.Text>}>
      <Drawer
        open={call !== null}
        onClose={() => setCall(null)}
        size={560}
        destroyOnHidden
        title={call ? ts('callTitle', { name: call.name, serial: call.serial }) : ''}
        data-testid="call-drawer"
      >
        {call && <VerifyFlow serial={call.serial} />}
      </Drawer>
      <Form layout="inline" onFinish={search} style={{ marginBottom: 12 }}>
        <Form.Item
          name="q"
          rules={[
            { required: true, whitespace: true, message: ts('lookupTooShort') },
            { min: 2, message: ts('lookupTooShort') },
          ]}
        >
          <Input placeholder={ts('lookupPlaceholder')} data-testid="merchant-q" style={{ width: 320, maxWidth: '100%' }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={loading} data-testid="merchant-search">
          {ts('search')}
        </Button>
      </Form>
      {error && <Alert type="error" showIcon title={error} data-testid="merchant-error" />}
      {rows !== null && !error && (
        <Table<Merchant>
          rowKey="id"
          size="small"
          data-testid="merchant-results"
          dataSource={rows}
          pagination={false}
          scroll={{ x: 600 }}
          locale={{ emptyText: ts('lookupNone') }}
          columns={[
            { title: ts('legalName'), dataIndex: 'legal_name' },
            { title: ts('phone'), dataIndex: 'phone' },
            { title: ts('residentId'), dataIndex: 'resident_id' },
            {
              title: ts('terminals'),
              dataIndex: 'terminals',
              render: (list: Merchant['terminals'], m: Merchant) => (
                <Space orientation="vertical" size={4}>
                  {list.map((x) => (
                    <Space key={x.serial} wrap size={8}>
                      <span>{`${x.serial}（${x.model} ${x.version || '—'}${x.group ? ` · ${x.group}` : ''}）`}</span>
                      <Button size="small" data-testid={`call-${x.serial}`}
                              onClick={() => setCall({ name: m.legal_name, serial: x.serial })}>
                        {ts('callVerify')}
                      </Button>
                    </Space>
                  ))}
                </Space>
              ),
            },
          ]}
        />
      )}
    </Card>
  );
}
