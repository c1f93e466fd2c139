// After the identity check: the verified merchant's terminals that are locked (lost or stolen,
// docs/terminal_lock.md), each with 获取解锁码. A required reason, then the code shown once,
// large, to read to the merchant, who types it on the terminal (offline too). Getting it is
// audited (support.unlock_code) and the terminal's page says who read it out and when. The code
// lives only while its dialog is open. A lapsed check (401 from the server) sends the agent back
// to verify again (`onLapsed`). Nothing is shown when none of the terminals is locked.
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, Modal, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api';
import { errorText } from '../../common/errors';
import { REASON_MAX } from '../../common/rules';
import { formatTime } from '../../common/time';
import { useApi } from '../../common/useApi';
import type { LockView } from '../terminals/types';
import type { Merchant } from './parts';

interface Props {
  verification: number;
  merchant: number;
  onLapsed: () => void;
}

export default function UnlockCodes({ verification, merchant, onLapsed }: Props) {
  const { t } = useTranslation();
  const { t: ts, i18n } = useTranslation('support');
  const m = useApi<Merchant>(`/merchants/${merchant}`);
  const [locks, setLocks] = useState<LockView[]>([]);
  const [error, setError] = useState('');
  const [again, setAgain] = useState(0);
  const [asking, setAsking] = useState<LockView | null>(null);
  const time = (s: string | null | undefined) => formatTime(s, i18n.language);

  useEffect(() => {
    if (!m.data) return;
    let live = true;
    Promise.all(m.data.terminals.map((x) => api<LockView>('GET', `/terminals/${encodeURIComponent(x.serial)}/lock`)))
      .then((all) => live && (setLocks(all.filter((l) => l.state === 'locked')), setError('')))
      .catch((e) => live && setError(errorText(t, e)));
    return () => {
      live = false;
    };
  }, [m.data, again, t]);

  const failed = m.error || error;
  if (!failed && !locks.length) return null;
  return (
    <Card size="small" title={ts('unlockTitle')} style={{ marginBottom: 16 }} data-testid="unlock-codes">
      {failed && <Alert type="error" showIcon title={failed} />}
      {locks.length > 0 && (
        <>
          <Typography.Paragraph type="secondary">{ts('unlockHelp')}</Typography.Paragraph>
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            {locks.map((l) => (
              <Space key={l.serial} wrap size={12} align="center" data-testid={`unlock-row-${l.serial}`}
                     style={{ width: '100%', justifyContent: 'space-between' }}>
                <Space orientation="vertical" size={2}>
                  <Space wrap size={8}>
                    <Typography.Text strong>{l.serial}</Typography.Text>
                    <Tag color="red">{ts('unlockLocked')}</Tag>
                    {l.code_issued_at && <Tag>{ts('unlockGivenBefore', { time: time(l.code_issued_at) })}</Tag>}
                  </Space>
                  <Typography.Text type="secondary">
                    {ts('unlockLockedBy', { reason: l.reason, who: l.locked_by, time: time(l.locked_at) })}
                  </Typography.Text>
                </Space>
                <Button type="primary" danger data-testid={`unlock-get-${l.serial}`} onClick={() => setAsking(l)}>
                  {ts('unlockGet')}
                </Button>
              </Space>
            ))}
          </Space>
        </>
      )}
      {asking && (
        <CodeDialog
          verification={verification}
          serial={asking.serial}
          onClose={() => {
            setAsking(null);
            setAgain((n) => n + 1);
          }}
          onLapsed={() => {
            setAsking(null);
            onLapsed();
          }}
        />
      )}
    </Card>
  );
}

// The reason, then the code — once.
function CodeDialog({ verification, serial, onClose, onLapsed }: {
  verification: number;
  serial: string;
  onClose: () => void;
  onLapsed: () => void;
}) {
  const { t } = useTranslation();
  const { t: ts } = useTranslation('support');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [form] = Form.useForm<{ reason: string }>();

  const get = async ({ reason }: { reason: string }) => {
    setBusy(true);
    setError('');
    try {
      const r = await api<{ serial: string; code: string }>('POST', `/support/verifications/${verification}/unlock-code`,
                                                           { serial, reason: reason.trim() });
      setCode(r.code);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'unauthorized') return onLapsed();
      if (e instanceof ApiError && e.code === 'wrong_state') setError(ts('unlockNotLocked'));
      else if (e instanceof ApiError && e.code === 'not_found') setError(ts('unlockNotTheirs'));
      else setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={ts('unlockDialog', { serial })}
      onCancel={onClose}
      mask={{ closable: false }}
      data-testid="unlock-dialog"
      footer={
        code ? (
          <Button type="primary" onClick={onClose} data-testid="unlock-done">{ts('unlockDone')}</Button>
        ) : (
          <Space>
            <Button onClick={onClose}>{ts('no')}</Button>
            <Button type="primary" danger loading={busy} onClick={() => form.submit()} data-testid="unlock-ok">
              {ts('unlockGet')}
            </Button>
          </Space>
        )
      }
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="unlock-error" />}
      {code ? (
        <>
          <div
            data-testid="unlock-code"
            style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 40, fontWeight: 600,
                     letterSpacing: 4, textAlign: 'center', margin: '16px 0', userSelect: 'all' }}
          >
            {code}
          </div>
          <Alert type="warning" showIcon title={ts('unlockReadOut')} data-testid="unlock-read-out" />
        </>
      ) : (
        <>
          <Alert type="info" showIcon title={ts('unlockAudited')} style={{ marginBottom: 12 }} />
          <Form form={form} layout="vertical" onFinish={get}>
            <Form.Item
              name="reason"
              label={ts('reason')}
              rules={[
                { required: true, whitespace: true, message: ts('reasonRequired') },
                { max: REASON_MAX, message: ts('reasonTooLong', { max: REASON_MAX }) },
              ]}
            >
              <Input placeholder={ts('unlockReasonHint')} data-testid="unlock-reason" />
            </Form.Item>
          </Form>
        </>
      )}
    </Modal>
  );
}
