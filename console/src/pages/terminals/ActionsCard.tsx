// A terminal's remote actions (远程操作, docs/diagnostics.md): what staff asked of it — collect its
// logs, reboot — with why, by whom and when (in the reader's time), whether it is still waiting
// for the terminal, done or failed, and what the terminal said. Roles that may (access.ts
// 'control') ask for either with a reason; a dialog says what the terminal will do at its next
// connection. A done logs action offers its bundle (already scrubbed of card and ID numbers) to
// the same roles: fetched with the session and saved as logs-<serial>-<id>.txt (the download is
// audited). The card follows the terminal by itself, every 5 s while an action waits.
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api, apiBlob, ApiError } from '../../api';
import { agentLine } from '../../common/agentText';
import { errorText } from '../../common/errors';
import { REASON_MAX } from '../../common/rules';
import { formatSize } from '../../common/sizes';
import { formatTime } from '../../common/time';
import { useApi } from '../../common/useApi';
import type { ActionView, ActionsView } from './types';

const POLL_MS = 5000;
const STATE_COLORS: Record<ActionView['state'], string> = { pending: 'processing', done: 'green', failed: 'red' };

interface Props {
  serial: string;
  canRequest: boolean; // may ask for an action (a control role, the terminal not retired)
  canDownload: boolean; // may download a log bundle (a control role)
}

export default function ActionsCard({ serial, canRequest, canDownload }: Props) {
  const { t: tc } = useTranslation();
  const { t, i18n } = useTranslation('terminals');
  const lang = i18n.language;
  const path = `/terminals/${encodeURIComponent(serial)}/actions`;
  const view = useApi<ActionsView>(path);
  const actions = view.data?.actions ?? [];
  const waiting = actions.some((a) => a.state === 'pending');
  // Poll while an action waits (its own timer, so starting and stopping read nothing more).
  const { reload } = view;
  useEffect(() => {
    if (!waiting) return;
    const id = setInterval(reload, POLL_MS);
    return () => clearInterval(id);
  }, [waiting, reload]);
  const time = (s: string | null | undefined) => formatTime(s, lang);

  const [fetching, setFetching] = useState<number | null>(null);
  const [downloadError, setDownloadError] = useState('');
  const download = async (a: ActionView) => {
    setFetching(a.id);
    setDownloadError('');
    try {
      const blob = await apiBlob(`${path}/${a.id}/bundle`);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `logs-${serial}-${a.id}.txt`;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) {
      setDownloadError(errorText(tc, e));
    } finally {
      setFetching(null);
    }
  };

  const request = (kind: ActionView['kind']) => async (reason: string) => {
    await api('POST', path, { kind, reason });
    view.reload();
  };

  const buttons = canRequest && (
    <Space wrap>
      <RequestAction kind="logs" label={t('actionLogs')} title={t('actionLogsTitle', { serial })} note={t('actionLogsNote')}
                     hint={t('actionLogsHint')} ok={t('actionLogsOk')} run={request('logs')} />
      <RequestAction kind="reboot" danger label={t('actionReboot')} title={t('actionRebootTitle', { serial })}
                     note={t('actionRebootNote')} hint={t('actionRebootHint')} ok={t('actionRebootOk')} run={request('reboot')} />
    </Space>
  );

  return (
    <Card title={t('actionsCard')} style={{ marginBottom: 16 }} data-testid="terminal-actions" extra={buttons}>
      {view.error && <Alert type="error" showIcon title={view.error} style={{ marginBottom: 12 }} />}
      {downloadError && (
        <Alert type="error" showIcon closable title={downloadError} style={{ marginBottom: 12 }} data-testid="action-download-error"
               onClose={() => setDownloadError('')} />
      )}
      {waiting && (
        <Typography.Paragraph type="secondary" data-testid="actions-waiting">{t('actionsWaiting')}</Typography.Paragraph>
      )}
      <Table<ActionView>
        rowKey="id"
        size="small"
        data-testid="actions"
        loading={view.loading && !view.data && !view.error}
        dataSource={actions}
        pagination={{ pageSize: 5, hideOnSinglePage: true }}
        locale={{ emptyText: t('actionsNone') }}
        scroll={{ x: 720 }}
        columns={[
          { title: t('actionKind'), dataIndex: 'kind', render: (k: string) => t(`actionKind_${k}`, { defaultValue: k }) },
          { title: t('actionReason'), dataIndex: 'reason' },
          { title: t('actionState'), dataIndex: 'state',
            render: (s: ActionView['state'], a: ActionView) => (
              <Tag color={STATE_COLORS[s]} data-testid={`action-state-${a.id}`} data-state={s}>
                {t(`actionState_${s}`, { defaultValue: s })}
              </Tag>
            ) },
          { title: t('actionRequested'), key: 'requested',
            render: (_: unknown, a: ActionView) => t('actionByAt', { who: a.requested_by, time: time(a.requested_at) }) },
          { title: t('actionDone'), dataIndex: 'done_at', render: (s: string | null) => time(s) || '—' },
          { title: t('actionDetail'), key: 'detail',
            render: (_: unknown, a: ActionView) => (
              <span title={a.detail || undefined} data-testid={`action-detail-${a.id}`}>{detailText(t, tc, lang, a)}</span>
            ) },
          ...(canDownload ? [{
            title: t('actionBundle'), key: 'bundle',
            render: (_: unknown, a: ActionView) => a.kind === 'logs' && a.state === 'done' && a.bundle_size > 0 && (
              <Button type="link" size="small" style={{ padding: 0 }} loading={fetching === a.id} title={t('actionDownloadNote')}
                      onClick={() => void download(a)} data-testid={`action-download-${a.id}`}>
                {t('actionDownload')}
              </Button>
            ),
          }] : []),
        ]}
      />
    </Card>
  );
}

// What the terminal said of an action, in the reader's words: the lines the agent and the server
// write (agent/diagnostics/actions.cc, server/domain/terminal_actions.cc) by name, any other as
// the agent's other lines are (the raw line stays in the title).
function detailText(t: TFunction, tc: TFunction, lang: string, a: ActionView): string {
  if (a.state === 'pending') return '';
  if (a.kind === 'logs' && a.state === 'done' && a.bundle_size > 0) return t('actionBundleOf', { size: formatSize(a.bundle_size) });
  if (a.detail === 'restarting') return t('actionRestarting');
  if (a.detail === 'this agent does not know that action') return t('actionUnknown');
  return agentLine(tc, lang, a.detail) || '—';
}

interface RequestActionProps {
  kind: ActionView['kind'];
  label: string;
  title: string;
  note: string;
  hint: string;
  ok: string;
  danger?: boolean;
  run: (reason: string) => Promise<void>;
}

// A button that asks for a required reason in a dialog saying what the terminal will do, then asks for the action.
function RequestAction(p: RequestActionProps) {
  const { t } = useTranslation();
  const { t: tt } = useTranslation('terminals');
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [form] = Form.useForm<{ reason: string }>();
  const id = `action-${p.kind}`;

  const submit = async (v: { reason: string }) => {
    setBusy(true);
    setError('');
    try {
      await p.run(v.reason.trim());
      setOpen(false);
    } catch (e) {
      setError(e instanceof ApiError && e.code === 'too_many_requests' ? tt('actionsTooMany') : errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button danger={p.danger} onClick={() => { form.resetFields(); setError(''); setOpen(true); }} data-testid={`${id}-open`}>
        {p.label}
      </Button>
      <Modal
        open={open}
        title={p.title}
        okText={p.ok}
        cancelText={tt('cancel')}
        okButtonProps={{ danger: p.danger, loading: busy, 'data-testid': `${id}-ok` }}
        cancelButtonProps={{ 'data-testid': `${id}-cancel` }}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        forceRender
      >
        <Alert type={p.danger ? 'warning' : 'info'} showIcon title={p.note} style={{ marginBottom: 12 }} data-testid={`${id}-note`} />
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid={`${id}-error`} />}
        <Form form={form} layout="vertical" onFinish={submit}>
          <Form.Item
            name="reason"
            label={tt('lockReasonLabel')}
            rules={[
              { required: true, whitespace: true, message: tt('lockReasonRequired') },
              { max: REASON_MAX, message: tt('lockReasonLong', { max: REASON_MAX }) },
            ]}
          >
            <Input.TextArea rows={2} maxLength={REASON_MAX} placeholder={p.hint} data-testid={`${id}-reason`} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
