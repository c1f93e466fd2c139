// The organisation a terminal belongs to, and giving it to another (docs/organisations.md):
// the dialog offers every organisation of the caller's subtree but the terminal's own, in tree
// order (an acquirer, reseller or merchant may each hold terminals), asks for a reason for the
// audit log, then PUT /api/v1/terminals/{serial}/organisation (roles with 'terminal').
import { useState } from 'react';
import { Alert, Button, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api';
import { errorText } from '../../common/errors';
import OrganisationPicker from '../organisations/OrganisationPicker';
import { Organisation, useOrganisationName, useOrganisations } from '../organisations/organisationList';

const REASON_MAX = 500; // the server's limit on a reason (core/limits.h kReasonChars)

// The caller's organisations and the one the terminal belongs to, `id` as its record
// (GET /api/v1/terminals/{serial}) names it: undefined while the record or the list is loading,
// null when the list does not hold it (the terminal is in the caller's subtree, so it should).
export function useTerminalOrganisation(id: number | undefined) {
  const { list, orgs, name } = useOrganisations();
  const current = id === undefined || !list.data ? undefined : (orgs.find((o) => o.id === id) ?? null);
  return { orgs, current, name, reload: list.reload };
}

// Where the terminal stands, as its page says it: name and kind, or the acquirer's by its kind
// alone ('—' when it cannot be told).
export function TerminalOrganisation({ current }: { current: Organisation | null | undefined }) {
  const { t } = useTranslation('terminals');
  const { t: to } = useTranslation('organisations');
  const name = useOrganisationName();
  return (
    <span data-testid="detail-organisation" data-id={current?.id}>
      {current === null ? '—' : !current ? '' : current.name
        ? t('organisationValue', { name: current.name, kind: to(`kind_${current.kind}`) }) : name(current)}
    </span>
  );
}

interface Props {
  serial: string;
  orgs: Organisation[];
  current: Organisation | null | undefined;
  onMoved: () => void;
}

export default function MoveOrganisation({ serial, orgs, current, onMoved }: Props) {
  const { t } = useTranslation();
  const { t: tt } = useTranslation('terminals');
  const name = useOrganisationName();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [form] = Form.useForm<{ organisation: number; reason: string }>();

  const move = async (v: { organisation: number; reason: string }) => {
    setBusy(true);
    setError('');
    try {
      await api('PUT', `/terminals/${encodeURIComponent(serial)}/organisation`,
                { organisation: v.organisation, reason: v.reason.trim() });
      setOpen(false);
      onMoved();
    } catch (e) {
      // Not found: the organisation (or the terminal) is no longer in the caller's subtree.
      setError(e instanceof ApiError && e.code === 'not_found' ? tt('moveNotFound') : errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button onClick={() => { form.resetFields(); setError(''); setOpen(true); }} data-testid="move-org">
        {tt('moveOrg')}
      </Button>
      <Modal
        open={open}
        title={tt('moveOrgTitle', { serial })}
        okText={tt('moveOrgOk')}
        cancelText={tt('moveOrgCancel')}
        okButtonProps={{ loading: busy, 'data-testid': 'move-org-ok' }}
        cancelButtonProps={{ 'data-testid': 'move-org-cancel' }}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        forceRender
      >
        <Alert type="info" showIcon style={{ marginBottom: 12 }} data-testid="move-org-note"
               title={current ? tt('moveOrgNote', { name: name(current) }) : tt('moveOrgNoteUnknown')} />
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="move-org-error" />}
        <Form form={form} layout="vertical" onFinish={move}>
          <Form.Item name="organisation" label={tt('moveOrgTo')} rules={[{ required: true, message: tt('moveOrgToRequired') }]}>
            <OrganisationPicker orgs={orgs} testid="move-org-to" placeholder={tt('moveOrgToPlaceholder')}
                                disabled={(o) => o.id === current?.id}
                                note={(o) => (o.id === current?.id ? tt('moveOrgCurrent') : '')} />
          </Form.Item>
          <Form.Item
            name="reason"
            label={tt('moveOrgReason')}
            rules={[
              { required: true, whitespace: true, message: tt('moveOrgReasonRequired') },
              { max: REASON_MAX, message: tt('moveOrgReasonLong', { max: REASON_MAX }) },
            ]}
          >
            <Input.TextArea rows={2} maxLength={REASON_MAX} placeholder={tt('moveOrgReasonHint')} data-testid="move-org-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
