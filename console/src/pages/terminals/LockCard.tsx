// A lost or stolen terminal's remote lock (远程锁定, docs/terminal_lock.md): whether it is locked,
// why, by whom and since when (in the reader's time), and whether support has read the unlock
// code to the merchant yet; how and when the last lock ended. Roles that may (access.ts
// 'control') lock it with a reason — from its next poll it refuses sales and says 终端已锁定,
// offline too, until the merchant types the code support gives after the identity check — or
// lift the lock remotely. The card follows a lock by itself (the code read out, the terminal
// unlocking), every 3 s while a lifted lock waits for the terminal's poll.
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Descriptions, Form, Input, Modal, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api';
import { errorText } from '../../common/errors';
import { REASON_MAX } from '../../common/rules';
import { formatTime } from '../../common/time';
import { useApi } from '../../common/useApi';
import type { LockView } from './types';

export default function LockCard({ serial, canControl }: { serial: string; canControl: boolean }) {
  const { t, i18n } = useTranslation('terminals');
  const path = `/terminals/${encodeURIComponent(serial)}/lock`;
  const [every, setEvery] = useState(0);
  const view = useApi<LockView>(path, every);
  const l = view.data;
  useEffect(() => setEvery(l?.state === 'released' ? 3000 : l?.state === 'locked' ? 10000 : 0), [l?.state]);
  const time = (s: string | null | undefined) => formatTime(s, i18n.language);

  const act = (to: string) => async (reason: string) => {
    await api('POST', to, { reason });
    view.reload();
  };

  const actions = canControl && l && (
    l.state === 'locked' ? (
      <ReasonAction testId="lift" label={t('lift')} title={t('liftTitle', { serial })} warning={t('liftWarning')}
                    hint={t('liftReasonHint')} ok={t('liftOk')} refused="wrong_state" refusedText={t('liftRefused')}
                    run={act(`${path}/release`)} onRefused={view.reload} />
    ) : l.state !== 'released' ? (
      <ReasonAction testId="lock" danger label={t('lock')} title={t('lockTitleOf', { serial })} warning={t('lockWarning')}
                    hint={t('lockReasonHint')} ok={t('lockOk')} refused="conflict" refusedText={t('lockRefused')}
                    run={act(path)} onRefused={view.reload} />
    ) : null
  );

  const ended = l?.state === 'unlocked' && (
    <Typography.Paragraph type="secondary" data-testid="lock-history" data-how={l.ended_how} style={{ marginBottom: 0 }}>
      {l.ended_how === 'code'
        ? t('lockEndedCode', { reason: l.reason, time: time(l.ended_at) })
        : t('lockEndedRemote', { reason: l.reason, who: l.ended_by, time: time(l.ended_at) })}
    </Typography.Paragraph>
  );

  return (
    <Card title={t('lockCard')} style={{ marginBottom: 16 }} data-testid="terminal-lock" extra={actions}
          loading={view.loading && !l && !view.error}>
      {view.error && <Alert type="error" showIcon title={view.error} />}
      {l && (l.state === 'locked' || l.state === 'released') && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          {l.state === 'locked' ? (
            <Tag color="red" data-testid="lock-state" data-state="locked">{t('lockLocked')}</Tag>
          ) : (
            <Tag color="orange" data-testid="lock-state" data-state="released">{t('lockReleased')}</Tag>
          )}
          <Descriptions bordered size="small" column={{ xs: 1, sm: 2 }}>
            <Descriptions.Item label={t('lockReason')}><span data-testid="lock-shown-reason">{l.reason}</span></Descriptions.Item>
            <Descriptions.Item label={t('lockBy')}>{t('lockByAt', { who: l.locked_by, time: time(l.locked_at) })}</Descriptions.Item>
            <Descriptions.Item label={t('lockCode')}>
              <span data-testid="lock-code" data-given={l.code_issued_at ? 'yes' : 'no'}>
                {l.code_issued_at
                  ? t('lockCodeGiven', { who: l.code_issued_by, time: time(l.code_issued_at) })
                  : t('lockCodeNotGiven')}
              </span>
            </Descriptions.Item>
          </Descriptions>
          <Typography.Text type="secondary" data-testid="lock-note">
            {l.state === 'locked' ? t('lockInForce') : t('lockLifting', { who: l.ended_by, time: time(l.ended_at) })}
          </Typography.Text>
        </Space>
      )}
      {l && l.state !== 'locked' && l.state !== 'released' && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Tag color="green" data-testid="lock-state" data-state={l.state ?? 'never'}>{t('lockNone')}</Tag>
          {ended || <Typography.Text type="secondary">{t('lockNever')}</Typography.Text>}
        </Space>
      )}
    </Card>
  );
}

interface ReasonActionProps {
  testId: string;
  label: string;
  title: string;
  warning: string;
  hint: string;
  ok: string;
  danger?: boolean;
  refused: string; // the error code that means someone else got there first
  refusedText: string;
  run: (reason: string) => Promise<void>;
  onRefused: () => void; // when the dialog that said so closes
}

// A button that asks for a required reason in a dialog with a warning, then runs the change.
function ReasonAction(p: ReasonActionProps) {
  const { t } = useTranslation();
  const { t: tt } = useTranslation('terminals');
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [stale, setStale] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();

  const submit = async (v: { reason: string }) => {
    setBusy(true);
    setError('');
    try {
      await p.run(v.reason.trim());
      setOpen(false);
    } catch (e) {
      if (e instanceof ApiError && e.code === p.refused) {
        setError(p.refusedText);
        setStale(true);
      } else setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button danger={p.danger} onClick={() => { form.resetFields(); setError(''); setStale(false); setOpen(true); }}
              data-testid={`${p.testId}-open`}>
        {p.label}
      </Button>
      <Modal
        open={open}
        title={p.title}
        okText={p.ok}
        cancelText={tt('cancel')}
        okButtonProps={{ danger: p.danger, loading: busy, disabled: stale, 'data-testid': `${p.testId}-ok` }}
        cancelButtonProps={{ 'data-testid': `${p.testId}-cancel` }}
        onOk={() => form.submit()}
        onCancel={() => {
          setOpen(false);
          if (stale) p.onRefused();
        }}
        forceRender
      >
        <Alert type="warning" showIcon title={p.warning} style={{ marginBottom: 12 }} data-testid={`${p.testId}-warning`} />
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid={`${p.testId}-error`} />}
        <Form form={form} layout="vertical" onFinish={submit}>
          <Form.Item
            name="reason"
            label={tt('lockReasonLabel')}
            rules={[
              { required: true, whitespace: true, message: tt('lockReasonRequired') },
              { max: REASON_MAX, message: tt('lockReasonLong', { max: REASON_MAX }) },
            ]}
          >
            <Input.TextArea rows={2} maxLength={REASON_MAX} placeholder={p.hint} data-testid={`${p.testId}-reason`} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
