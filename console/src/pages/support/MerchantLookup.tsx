// Merchant lookup for the support desk: by legal name, a whole phone number
// or a terminal's serial. The server answers masked records only.
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { errorText } from '../../common/errors';
import { Merchant } from './parts';

export default function MerchantLookup() {
  const { t } = useTranslation();
  const { t: ts } = useTranslation('support');
  const [rows, setRows] = useState<Merchant[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState('');

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
    <Card title={ts('lookup')}>
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
              render: (ts2: Merchant['terminals']) =>
                ts2.map((x) => `${x.serial} (${x.model} ${x.version}${x.group ? ', ' + x.group : ''})`).join('; '),
            },
          ]}
        />
      )}
    </Card>
  );
}
