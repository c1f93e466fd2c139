// Retiring a terminal (administrators): a reason, a warning that this is
// final, then the server refuses the terminal's token from its next poll and
// cancels its open deployment. The page reloads to show it as retired.
import { useState } from 'react';
import { Alert, Button, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { errorText } from '../../common/errors';

export default function RetireButton({ serial, onDone }: { serial: string; onDone: () => void }) {
  const { t } = useTranslation();
  const { t: tt } = useTranslation('terminals');
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [form] = Form.useForm<{ reason: string }>();

  const retire = async (v: { reason: string }) => {
    setBusy(true);
    setError('');
    try {
      await api('POST', `/terminals/${encodeURIComponent(serial)}/retire`, { reason: v.reason.trim() });
      setOpen(false);
      onDone();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button danger onClick={() => { form.resetFields(); setError(''); setOpen(true); }} data-testid="retire">
        {tt('retire')}
      </Button>
      <Modal
        open={open}
        title={tt('retireTitle', { serial })}
        okText={tt('retireOk')}
        cancelText={tt('retireCancel')}
        okButtonProps={{ danger: true, loading: busy, 'data-testid': 'retire-ok' }}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        forceRender
      >
        <Alert type="warning" showIcon title={tt('retireWarning')} style={{ marginBottom: 12 }} />
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="retire-error" />}
        <Form form={form} layout="vertical" onFinish={retire}>
          <Form.Item
            name="reason"
            label={tt('retireReason')}
            rules={[
              { required: true, whitespace: true, message: tt('retireReasonRequired') },
              { max: 160, message: tt('retireReasonLong') },
            ]}
          >
            <Input.TextArea rows={2} maxLength={160} placeholder={tt('retireReasonHint')} data-testid="retire-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
