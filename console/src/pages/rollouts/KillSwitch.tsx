// The kill switch (紧急停止): a red button that stops every rollout of a
// release and cancels its open deployments (POST /api/v1/releases/{v}/stop).
// It asks for a reason and for the version typed out, so a slip of the mouse
// cannot stop a release.
import { useState } from 'react';
import { Alert, Button, Form, Input, Modal, Typography } from 'antd';
import { StopOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { errorText } from '../../common/errors';
import { REASON_MAX } from '../../common/rules';

interface StopResult {
  release: string;
  rollouts_stopped: number;
  deployments_canceled: number;
}

export default function KillSwitch({ version, onStopped }: { version: string; onStopped: (message: string) => void }) {
  const { t } = useTranslation('rollouts');
  const { t: tc } = useTranslation();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ reason: string; typed: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const stop = async () => {
    let v: { reason: string; typed: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setError('');
    try {
      const r = await api<StopResult>('POST', `/releases/${encodeURIComponent(version)}/stop`, { reason: v.reason.trim() });
      setOpen(false);
      onStopped(t('stopped_ok', { rollouts: r.rollouts_stopped, deployments: r.deployments_canceled }));
    } catch (e) {
      setError(errorText(tc, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button type="primary" danger icon={<StopOutlined />} onClick={() => { form.resetFields(); setError(''); setOpen(true); }}
              data-testid="kill-switch">
        {t('stopAll')}
      </Button>
      <Modal open={open} title={t('stopTitle', { version })} okText={t('stopConfirm')} cancelText={t('cancel')}
             onOk={stop} onCancel={() => setOpen(false)} confirmLoading={busy} destroyOnHidden
             okButtonProps={{ danger: true, ...({ 'data-testid': 'kill-ok' } as Record<`data-${string}`, string>) }}>
        <Typography.Paragraph type="danger">{t('stopBody')}</Typography.Paragraph>
        <Form form={form} layout="vertical" data-testid="kill-form">
          <Form.Item name="reason" label={t('reason')}
                     rules={[{ required: true, whitespace: true, message: t('reasonRequired') },
                             { max: REASON_MAX, message: tc('tooLong', { max: REASON_MAX }) }]}>
            <Input.TextArea rows={2} data-testid="kill-reason" />
          </Form.Item>
          <Form.Item name="typed" label={t('stopType', { version })}
                     rules={[{ validator: async (_, v: string | undefined) => {
                       if ((v ?? '').trim() !== version) throw new Error(t('stopTypeWrong'));
                     } }]}>
            <Input data-testid="kill-version" autoComplete="off" />
          </Form.Item>
        </Form>
        {error && <Alert type="error" title={error} data-testid="kill-error" />}
      </Modal>
    </>
  );
}
