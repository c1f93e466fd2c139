// A terminal's client certificates (mutual TLS): issued, valid until, revoked
// when and why; administrators revoke them here (a reason, then the server
// refuses them from the terminal's next connection, even beside its token).
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Modal, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { errorText } from '../../common/errors';
import { formatTime } from '../../common/time';
import { useApi } from '../../common/useApi';

export interface DeviceCertificate {
  fingerprint: string;
  serial_number: string;
  issued: string;
  not_after: string;
  revoked: string | null;
  revoked_reason: string;
}

export default function CertificatesCard({ serial, canRevoke }: { serial: string; canRevoke: boolean }) {
  const { t } = useTranslation();
  const { t: tt, i18n } = useTranslation('terminals');
  const view = useApi<{ certificates: DeviceCertificate[] }>(`/terminals/${encodeURIComponent(serial)}/certificates`);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [form] = Form.useForm<{ reason: string }>();
  const time = (s: string | null) => formatTime(s, i18n.language);
  const certs = view.data?.certificates ?? [];
  const valid = certs.some((c) => !c.revoked);

  const revoke = async (v: { reason: string }) => {
    setBusy(true);
    setError('');
    try {
      await api('POST', `/terminals/${encodeURIComponent(serial)}/certificates/revoke`, { reason: v.reason.trim() });
      setOpen(false);
      view.reload();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      title={tt('certificates')}
      style={{ marginBottom: 16 }}
      data-testid="certificates"
      extra={canRevoke && valid && (
        <Button danger onClick={() => { form.resetFields(); setError(''); setOpen(true); }} data-testid="revoke-cert">
          {tt('certRevoke')}
        </Button>
      )}
    >
      {view.error && <Alert type="error" showIcon title={view.error} />}
      <Table<DeviceCertificate>
        rowKey="fingerprint"
        size="small"
        loading={view.loading}
        dataSource={certs}
        pagination={{ pageSize: 5 }}
        locale={{ emptyText: tt('certNone') }}
        scroll={{ x: 720 }}
        columns={[
          { title: tt('certSerial'), dataIndex: 'serial_number' },
          { title: tt('certIssued'), dataIndex: 'issued', render: time },
          { title: tt('certNotAfter'), dataIndex: 'not_after', render: time },
          {
            title: tt('certState'),
            key: 'state',
            render: (_: unknown, c: DeviceCertificate) =>
              c.revoked ? (
                <span data-testid="cert-revoked">
                  <Tag color="red">{tt('certRevoked')}</Tag>
                  {time(c.revoked)} ({c.revoked_reason})
                </span>
              ) : (
                <Tag color="green" data-testid="cert-valid">{tt('certValid')}</Tag>
              ),
          },
          {
            title: 'SHA-256',
            dataIndex: 'fingerprint',
            render: (f: string) => <Typography.Text code copyable={{ text: f }}>{f.slice(0, 16)}…</Typography.Text>,
          },
        ]}
      />
      <Modal
        open={open}
        title={tt('certRevokeTitle', { serial })}
        okText={tt('certRevokeOk')}
        cancelText={tt('retireCancel')}
        okButtonProps={{ danger: true, loading: busy, 'data-testid': 'revoke-cert-ok' }}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        forceRender
      >
        <Alert type="warning" showIcon title={tt('certRevokeWarning')} style={{ marginBottom: 12 }} />
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="revoke-cert-error" />}
        <Form form={form} layout="vertical" onFinish={revoke}>
          <Form.Item
            name="reason"
            label={tt('retireReason')}
            rules={[
              { required: true, whitespace: true, message: tt('certReasonRequired') },
              { max: 160, message: tt('retireReasonLong') },
            ]}
          >
            <Input.TextArea rows={2} maxLength={160} data-testid="revoke-cert-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
