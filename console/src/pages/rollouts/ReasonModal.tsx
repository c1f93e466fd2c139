// Asks for the reason of a rollout action (it goes into the audit log), runs
// the action and shows the server's refusal in the dialog, so nothing happens
// without a reason and nothing fails silently.
import { useState } from 'react';
import { Alert, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { reasonRules } from '../../common/rules';

interface Props {
  title: string;
  okText: string;
  danger?: boolean;
  // Runs the action; resolves with '' on success, else the sentence to show.
  onRun: (reason: string) => Promise<string>;
  onClose: () => void;
  testId: string;
}

export default function ReasonModal({ title, okText, danger, onRun, onClose, testId }: Props) {
  const { t } = useTranslation('rollouts');
  const { t: tc } = useTranslation();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const ok = async () => {
    let v: { reason: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setError('');
    const failed = await onRun(v.reason.trim());
    setBusy(false);
    if (failed) setError(failed);
    else onClose();
  };
  return (
    <Modal open title={title} okText={okText} cancelText={t('cancel')} onOk={ok} onCancel={onClose} confirmLoading={busy}
           okButtonProps={{ danger, ...({ 'data-testid': `${testId}-ok` } as Record<`data-${string}`, string>) }} destroyOnHidden>
      <Form form={form} layout="vertical" data-testid={testId}>
        <Form.Item name="reason" label={t('reason')} rules={reasonRules(tc)}>
          <Input.TextArea rows={2} data-testid={`${testId}-reason`} autoFocus />
        </Form.Item>
      </Form>
      {error && <Alert type="error" title={error} data-testid={`${testId}-error`} />}
    </Modal>
  );
}
