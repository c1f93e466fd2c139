// One ticket in a drawer: what the terminal sent (version, policy snapshot,
// message), the terminal now and its merchant (masked by the server), the
// verification steps, and the ticket's notes with closing.
import { useState } from 'react';
import { Alert, Button, Descriptions, Divider, Drawer, Form, Input, List, Popconfirm, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import States from '../../common/States';
import { errorText } from '../../common/errors';
import { formatTime } from '../../common/time';
import { useApi } from '../../common/useApi';
import VerifyFlow from './VerifyFlow';
import { Merchant, PolicyTags, Ticket } from './parts';

export const NOTE_MAX = 1000;

interface TicketView {
  ticket: Ticket;
  terminal: {
    serial: string;
    model: string;
    version: string;
    group: string;
    last_seen: string | null;
    policy?: { mode: string; locked?: boolean; lock_reason?: string };
  } | null;
  merchant: Merchant | null;
  notes: { id: number; author: string; text: string; time: string }[];
}

export default function TicketDrawer({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const { t } = useTranslation();
  const { t: ts, i18n } = useTranslation('support');
  const view = useApi<TicketView>(`/support/tickets/${id}`);
  const [noteForm] = Form.useForm();
  const [closeForm] = Form.useForm();
  const [error, setError] = useState('');
  const [info, setInfo] = useState('');
  const lang = i18n.language;

  const send = async (f: () => Promise<unknown>, ok: string) => {
    setError('');
    setInfo('');
    try {
      await f();
      setInfo(ok);
      view.reload();
      onChanged();
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  const addNote = (values: { text: string }) =>
    send(async () => {
      await api('POST', `/support/tickets/${id}/notes`, { text: values.text.trim() });
      noteForm.resetFields();
    }, ts('noteAdded'));
  // Ask only once the outcome is written.
  const [confirming, setConfirming] = useState(false);
  const askClose = () => closeForm.validateFields().then(() => setConfirming(true), () => undefined);
  const close = async () => {
    setConfirming(false);
    const note: string = closeForm.getFieldValue('note');
    await send(() => api('POST', `/support/tickets/${id}/close`, { note: note.trim() }), ts('closed'));
  };

  const d = view.data;
  const noteRules = (required: string) => [
    { required: true, whitespace: true, message: ts(required) },
    { max: NOTE_MAX, message: ts('noteTooLong', { max: NOTE_MAX }) },
  ];
  return (
    <Drawer open title={ts('ticketNo', { id })} size="large" onClose={onClose} data-testid="ticket-drawer">
      <States loading={view.loading} error={view.error} onRetry={view.reload}>
        {d && (
          <>
            {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="ticket-error" />}
            {info && <Alert type="success" showIcon title={info} style={{ marginBottom: 12 }} data-testid="ticket-info" />}
            <Descriptions column={1} bordered size="small" title={ts('ticket')}>
              <Descriptions.Item label={ts('status')}>
                <Tag color={d.ticket.status === 'open' ? 'orange' : 'default'} data-testid="ticket-status">
                  {ts(`status_${d.ticket.status}`)}
                </Tag>
              </Descriptions.Item>
              <Descriptions.Item label={ts('version')}>{d.ticket.version}</Descriptions.Item>
              <Descriptions.Item label={ts('policySnapshot')}>
                <PolicyTags policy={d.ticket.policy} />
              </Descriptions.Item>
              <Descriptions.Item label={ts('message')}>
                <span data-testid="ticket-message">{d.ticket.message}</span>
              </Descriptions.Item>
              <Descriptions.Item label={ts('created')}>{formatTime(d.ticket.created, lang)}</Descriptions.Item>
            </Descriptions>
            {d.terminal && (
              <Descriptions column={2} bordered size="small" title={ts('terminal')} style={{ marginTop: 16 }}>
                <Descriptions.Item label={ts('serial')}>
                  <span data-testid="ticket-serial">{d.terminal.serial}</span>
                </Descriptions.Item>
                <Descriptions.Item label={ts('model')}>{d.terminal.model}</Descriptions.Item>
                <Descriptions.Item label={ts('version')}>{d.terminal.version}</Descriptions.Item>
                <Descriptions.Item label={ts('group')}>{d.terminal.group || ts('noGroup')}</Descriptions.Item>
                <Descriptions.Item label={ts('lastSeen')}>
                  {d.terminal.last_seen ? formatTime(d.terminal.last_seen, lang) : ts('never')}
                </Descriptions.Item>
                <Descriptions.Item label={ts('currentPolicy')}>
                  <span data-testid="ticket-current-mode"><PolicyTags policy={d.terminal.policy} /></span>
                </Descriptions.Item>
              </Descriptions>
            )}
            {d.merchant ? (
              <Descriptions column={2} bordered size="small" title={ts('merchant')} style={{ marginTop: 16 }}>
                <Descriptions.Item label={ts('legalName')}>
                  <span data-testid="ticket-merchant">{d.merchant.legal_name}</span>
                </Descriptions.Item>
                <Descriptions.Item label={ts('phone')}>{d.merchant.phone}</Descriptions.Item>
                <Descriptions.Item label={ts('residentId')}>{d.merchant.resident_id}</Descriptions.Item>
                <Descriptions.Item label={ts('terminals')}>
                  {d.merchant.terminals.map((x) => x.serial).join(', ')}
                </Descriptions.Item>
              </Descriptions>
            ) : (
              <Alert type="warning" showIcon title={ts('noMerchant')} style={{ marginTop: 16 }} />
            )}
            {d.merchant && d.terminal && (
              <>
                <Divider titlePlacement="start">{ts('verifyTitle')}</Divider>
                <VerifyFlow serial={d.terminal.serial} onChanged={view.reload} />
              </>
            )}
            <Divider titlePlacement="start">{ts('notes')}</Divider>
            <List
              size="small"
              data-testid="ticket-notes"
              locale={{ emptyText: ts('noNotes') }}
              dataSource={d.notes}
              renderItem={(n) => (
                <List.Item>
                  <List.Item.Meta
                    title={<Typography.Text type="secondary">{`${n.author} · ${formatTime(n.time, lang)}`}</Typography.Text>}
                    description={<Typography.Text>{n.text}</Typography.Text>}
                  />
                </List.Item>
              )}
            />
            <Form form={noteForm} layout="vertical" onFinish={addNote} style={{ marginTop: 12 }}>
              <Form.Item name="text" label={ts('noteText')} rules={noteRules('noteRequired')}>
                <Input.TextArea rows={2} data-testid="note-text" />
              </Form.Item>
              <Button htmlType="submit" data-testid="note-add">{ts('addNote')}</Button>
            </Form>
            {d.ticket.status === 'open' ? (
              <Form form={closeForm} layout="vertical" style={{ marginTop: 16 }}>
                <Form.Item name="note" label={ts('closeNote')} rules={noteRules('closeNoteRequired')}>
                  <Input.TextArea rows={2} data-testid="close-note" />
                </Form.Item>
                <Popconfirm title={ts('closeConfirm')} okText={ts('yes')} cancelText={ts('no')} open={confirming}
                            onConfirm={close} onCancel={() => setConfirming(false)}
                            okButtonProps={{ 'data-testid': 'close-confirm' }}>
                  <Button danger onClick={askClose} data-testid="close-ticket">{ts('closeTicket')}</Button>
                </Popconfirm>
              </Form>
            ) : (
              <Alert type="info" title={ts('alreadyClosed', { note: d.ticket.note })} style={{ marginTop: 16 }} />
            )}
          </>
        )}
      </States>
    </Drawer>
  );
}
