// One application for the reviewer: masked fields, the provider's answers,
// and the decision its status allows — approve or reject a submitted one,
// record shipping of an approved one. Activation codes from an approval are
// shown here once, with a copy button; closing the drawer forgets them.
import { ReactNode, useEffect, useRef, useState } from 'react';
import { Alert, Button, Card, Descriptions, Drawer, Form, Grid, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { errorText } from '../../common/errors';
import States from '../../common/States';
import { reasonRules } from '../../common/rules';
import { formatTime } from '../../common/time';
import { useApi } from '../../common/useApi';
import { useOrganisations } from '../organisations/organisationList';
import Checks, { FormatOnlyBanner } from './Checks';
import GiveForm from './GiveForm';
import { ActivationCode, ApproveForm, RejectForm, ShippingForm } from './ReviewForms';
import { Application, STATUS_COLOURS } from './types';

interface Props {
  id: number;
  onClose: () => void;
  onChanged: () => void;
}

// The application's fields as description rows, masked as the server sends them.
function useFields(nameById: (id: number) => string) {
  const { t: tr, i18n } = useTranslation('applications');
  return (app: Application) => {
    const rows: [string, ReactNode, string?][] = [
      ['kind', tr(`kind_${app.kind}`)],
      ['legalName', app.legal_name],
      ['residentId', app.resident_id, 'app-resident-id'],
    ];
    if (app.kind === 'business') rows.push(['businessName', app.business_name], ['creditCode', app.credit_code]);
    rows.push(
      ['phone', app.phone],
      ['card', app.card, 'app-card'],
      ['bank', app.bank],
      ['address', app.address],
      ['model', app.model],
      ['created', formatTime(app.created, i18n.language)],
    );
    rows.push(['organisation', nameById(app.organisation ?? 1), 'app-organisation']);
    if (app.reviewer) rows.push(['reviewer', app.reviewer]);
    if (app.reason) rows.push(['reason', app.reason, 'app-reason']);
    if (app.serials.length) rows.push(['serials', app.serials.join(', ')]);
    if (app.merchant_id > 0) rows.push(['merchant', app.merchant_id]);
    if (app.carrier) rows.push(['carrier', app.carrier], ['tracking', app.tracking]);
    return rows.map(([key, value, testid]) => ({
      key,
      label: tr(key),
      children: testid ? <span data-testid={testid}>{value}</span> : value,
    }));
  };
}

export default function ApplicationDrawer({ id, onClose, onChanged }: Props) {
  const { t } = useTranslation();
  const { t: tr, i18n } = useTranslation('applications');
  const wide = Grid.useBreakpoint().md ?? true;
  const organisations = useOrganisations();
  const fields = useFields(organisations.nameById);
  const { data: app, loading, error, reload } = useApi<Application>(`/applications/${id}`);
  const [codes, setCodes] = useState<ActivationCode[]>([]);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState('');
  const codesRef = useRef<HTMLDivElement>(null);
  // The codes appear at the top after approving at the bottom: bring them into view.
  useEffect(() => {
    if (codes.length) codesRef.current?.scrollIntoView({ block: 'start' });
  }, [codes]);

  const changed = (message: string) => {
    setNote(message);
    reload();
    onChanged();
  };

  // A new activation code for one terminal: asks why, then shows the code like an approval's.
  const [reissue, setReissue] = useState<string | null>(null);
  const [reissueForm] = Form.useForm<{ reason: string }>();
  const sendReissue = async () => {
    const { reason } = await reissueForm.validateFields();
    setBusy(true);
    setActionError('');
    try {
      const c = await api<ActivationCode>('POST', `/applications/${id}/activation-codes`, { serial: reissue, reason });
      setReissue(null);
      reissueForm.resetFields();
      setCodes([c]);
      changed('');
    } catch (e) {
      setActionError(errorText(t, e));
      setReissue(null);
    } finally {
      setBusy(false);
    }
  };

  const reverify = async () => {
    setBusy(true);
    setActionError('');
    try {
      await api('POST', `/applications/${id}/verify`, {});
      changed(tr('reverified'));
    } catch (e) {
      setActionError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer
      open
      onClose={onClose}
      size={wide ? 720 : '100%'}
      title={app ? tr('detail', { number: app.number }) : ''}
      extra={app && <Tag color={STATUS_COLOURS[app.status]} data-testid="app-status">{tr(`status_${app.status}`)}</Tag>}
      data-testid="app-drawer"
    >
      <States loading={loading} error={error} onRetry={reload}>
        {app && (
          <Space direction="vertical" size="middle" style={{ width: '100%' }}>
            {codes.length > 0 && (
              <div ref={codesRef}>
                <Alert
                  type="success"
                  showIcon
                  data-testid="activation-codes"
                  title={<Typography.Text strong>{tr('codesTitle')}</Typography.Text>}
                  description={
                    <>
                      <Typography.Paragraph>{tr('codesHelp')}</Typography.Paragraph>
                      {codes.map((c) => (
                        <div key={c.serial} style={{ marginBottom: 8 }}>
                          <div>{tr('codeFor', { serial: c.serial })}</div>
                          <Typography.Text
                            code
                            copyable
                            style={{ fontSize: 22, letterSpacing: 2 }}
                            data-testid={`activation-code-${c.serial}`}
                          >
                            {c.code}
                          </Typography.Text>
                        </div>
                      ))}
                    </>
                  }
                />
              </div>
            )}
            {note && <Alert type="info" showIcon title={note} closable onClose={() => setNote('')} data-testid="app-note" />}
            {actionError && <Alert type="error" showIcon title={actionError} data-testid="app-error" />}
            {app.checks?.provider === 'format-only' && <FormatOnlyBanner />}
            <Descriptions column={1} size="small" bordered data-testid="app-fields" items={fields(app)} />
            <Typography.Text type="secondary">{tr('maskedNote')}</Typography.Text>
            <Checks app={app} busy={busy} onReverify={reverify} />
            {!!app.activations?.length && (
              <Table
                size="small"
                rowKey={(r) => `${r.serial}-${r.expires}-${r.used}-${r.replaced}`}
                pagination={false}
                title={() => tr('activations')}
                dataSource={app.activations}
                data-testid="app-activations"
                columns={[
                  { title: tr('serials'), dataIndex: 'serial' },
                  { title: tr('expires'), dataIndex: 'expires', render: (v: string) => formatTime(v, i18n.language) },
                  {
                    title: tr('used'),
                    dataIndex: 'used',
                    render: (v: string | null, r) =>
                      r.replaced ? tr('replaced') : v ? formatTime(v, i18n.language) : tr('notUsed'),
                  },
                  {
                    key: 'new',
                    render: (_: unknown, r) =>
                      !r.replaced && (
                        <Button size="small" onClick={() => setReissue(r.serial)} data-testid={`new-code-${r.serial}`}>
                          {tr('newCode')}
                        </Button>
                      ),
                  },
                ]}
              />
            )}
            <Modal
              open={reissue !== null}
              title={`${tr('newCode')} ${reissue ?? ''}`}
              onOk={sendReissue}
              confirmLoading={busy}
              onCancel={() => setReissue(null)}
              okButtonProps={{ 'data-testid': 'new-code-ok' } as Record<`data-${string}`, string>}
            >
              <Typography.Paragraph type="secondary">{tr('newCodeHelp')}</Typography.Paragraph>
              <Form form={reissueForm} layout="vertical">
                <Form.Item name="reason" label={tr('newCodeReason')} rules={reasonRules(t)}>
                  <Input data-testid="new-code-reason" />
                </Form.Item>
              </Form>
            </Modal>
            {app.status === 'submitted' && (
              <>
                <Card size="small" title={tr('approve')}>
                  <Typography.Paragraph type="secondary">{tr('approveHelp')}</Typography.Paragraph>
                  <ApproveForm
                    app={app}
                    onDone={(_, c) => {
                      setCodes(c);
                      changed('');
                    }}
                  />
                </Card>
                <Card size="small" title={tr('reject')}>
                  <Typography.Paragraph type="secondary">{tr('rejectHelp')}</Typography.Paragraph>
                  <RejectForm app={app} onDone={() => changed(tr('rejected'))} />
                </Card>
                {organisations.orgs.length > 1 && (
                  <Card size="small" title={tr('give')}>
                    <Typography.Paragraph type="secondary">{tr('giveHelp')}</Typography.Paragraph>
                    <GiveForm app={app} orgs={organisations.orgs}
                              onDone={(a) => changed(tr('given', { name: organisations.nameById(a.organisation) }))} />
                  </Card>
                )}
              </>
            )}
            {app.status === 'approved' && (
              <Card size="small" title={tr('shipping')}>
                <ShippingForm app={app} onDone={() => changed(tr('shipped'))} />
              </Card>
            )}
          </Space>
        )}
      </States>
    </Drawer>
  );
}
