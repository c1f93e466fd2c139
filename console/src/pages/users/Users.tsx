// Back-office users (administrators only): the list, creating a user with a
// role and an initial password, changing a role, resetting a password, and
// disabling or enabling an account — each confirmed first. Any change ends
// the user's sessions; the server refuses to leave no active administrator.
// Two-step verification: each user's state, an administrator's reset (with a
// reason, audited), and the setting that requires it of administrators.
// Each user's organisation is named in the list, and chosen when one is created if the
// administrator's subtree holds more than its own (docs/organisations.md).
// Below them: API tokens (ApiTokens.tsx).
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Modal, Popconfirm, Space, Switch, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import PageTitle from '../../common/PageTitle';
import { api, ApiError, Me } from '../../api';
import States from '../../common/States';
import { errorText } from '../../common/errors';
import { formatTime, userTimeZone } from '../../common/time';
import { useApi } from '../../common/useApi';
import { useOrganisations } from '../organisations/organisationList';
import ApiTokens from './ApiTokens';
import UserForm, { NewUser, PasswordFields, RoleSelect, roleRules } from './UserForm';

interface User {
  name: string;
  role: string;
  disabled: boolean;
  totp: boolean;
  organisation: number; // its id (GET /api/v1/organisations names it)
  created: string;
}

type Dialog =
  | { kind: 'create' }
  | { kind: 'role'; user: User }
  | { kind: 'password'; user: User }
  | { kind: 'totp'; user: User }
  | null;

// The fleet setting: TOTP required of administrators.
function LoginSecurity() {
  const { t } = useTranslation();
  const { t: tu } = useTranslation('users');
  const settings = useApi<{ totp_required_for_admins: boolean }>('/settings/accounts');
  const [error, setError] = useState('');
  const [saving, setSaving] = useState(false);
  const toggle = async (on: boolean) => {
    setError('');
    setSaving(true);
    try {
      await api('PUT', '/settings/accounts', { totp_required_for_admins: on });
      settings.reload();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Card title={tu('settingsTitle')} style={{ marginBottom: 16 }}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="settings-error" />}
      <States loading={settings.loading} error={settings.error} onRetry={settings.reload}>
        <Space>
          <Switch checked={!!settings.data?.totp_required_for_admins} loading={saving} onChange={toggle}
                  data-testid="totp-required-switch" />
          <Typography.Text>{tu('totpRequired')}</Typography.Text>
        </Space>
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>{tu('totpRequiredHelp')}</Typography.Paragraph>
      </States>
    </Card>
  );
}

export default function Users({ me }: { me: Me }) {
  const { t } = useTranslation();
  const { t: tu, i18n } = useTranslation('users');
  const users = useApi<{ users: User[] }>('/users');
  const { orgs, nameById } = useOrganisations();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [error, setError] = useState('');
  const [info, setInfo] = useState('');
  const [createForm] = Form.useForm();
  const [roleForm] = Form.useForm();
  const [passwordForm] = Form.useForm();
  const [totpForm] = Form.useForm();
  const newRole = Form.useWatch('role', roleForm) as string | undefined;

  const send = async (name: string, f: () => Promise<unknown>, ok: string) => {
    setError('');
    setInfo('');
    try {
      await f();
      setInfo(ok);
      setDialog(null);
      users.reload();
    } catch (e) {
      const last = e instanceof ApiError && e.code === 'wrong_state' && e.message.includes('last active administrator');
      setError(last ? tu('lastAdmin', { name }) : errorText(t, e));
    }
  };
  const change = (u: User, body: object, ok: string) => send(u.name, () => api('PUT', `/users/${encodeURIComponent(u.name)}`, body), ok);
  const create = (v: NewUser) =>
    send(v.name, () => api('POST', '/users', { name: v.name, role: v.role, password: v.password,
                                               ...(v.organisation ? { organisation: v.organisation } : {}) }),
         tu('created_ok', { name: v.name }));

  const open = (d: Dialog) => {
    setError('');
    createForm.resetFields();
    roleForm.resetFields();
    passwordForm.resetFields();
    totpForm.resetFields();
    if (d?.kind === 'role') roleForm.setFieldsValue({ role: d.user.role });
    setDialog(d);
  };

  const errorBox = error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="users-error" />;
  return (
    <>
    <PageTitle title={tu('title')} />
    {/* The fleet's setting and the API tokens are the acquirer's: a reseller's administrator
        manages its own subtree's users alone. */}
    {me.whole_tree !== false && <LoginSecurity />}
    <Card
      title={tu('accounts')}
      extra={
        <Button type="primary" onClick={() => open({ kind: 'create' })} data-testid="user-create">
          {tu('create')}
        </Button>
      }
    >
      {!dialog && errorBox}
      {info && <Alert type="success" showIcon title={info} style={{ marginBottom: 12 }} data-testid="users-info" />}
      <Typography.Paragraph type="secondary">{t('timeZoneNote', { tz: userTimeZone() })}</Typography.Paragraph>
      <States loading={users.loading} error={users.error} onRetry={users.reload}>
        <Table<User>
          rowKey="name"
          size="small"
          scroll={{ x: 700 }}
          data-testid="users-table"
          loading={users.loading && !users.data}
          dataSource={users.data?.users ?? []}
          locale={{ emptyText: tu('empty') }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          columns={[
            { title: tu('name'), dataIndex: 'name', render: (v: string) => (v === me.name ? `${v} ${tu('you')}` : v) },
            { title: tu('role'), dataIndex: 'role', render: (v: string) => <Tag>{tu(`role_${v}`)}</Tag> },
            { title: tu('organisation'), dataIndex: 'organisation',
              render: (id: number, u: User) => <span data-testid={`user-org-${u.name}`}>{id ? nameById(id) : ''}</span> },
            {
              title: tu('status'),
              dataIndex: 'disabled',
              render: (v: boolean, u: User) => (
                <Tag color={v ? 'default' : 'green'} data-testid={`user-status-${u.name}`}>{v ? tu('disabled') : tu('active')}</Tag>
              ),
            },
            {
              title: tu('totp'),
              dataIndex: 'totp',
              render: (v: boolean, u: User) => (
                <Tag color={v ? 'green' : 'default'} data-testid={`user-totp-${u.name}`}>{v ? tu('totpOn') : tu('totpOff')}</Tag>
              ),
            },
            { title: tu('created'), dataIndex: 'created', render: (v: string) => formatTime(v, i18n.language) },
            {
              title: tu('actions'),
              key: 'actions',
              render: (_: unknown, u: User) => (
                <Space wrap size="small">
                  <Button size="small" onClick={() => open({ kind: 'role', user: u })} data-testid={`user-role-${u.name}`}>
                    {tu('changeRole')}
                  </Button>
                  <Button size="small" onClick={() => open({ kind: 'password', user: u })} data-testid={`user-reset-${u.name}`}>
                    {tu('resetPassword')}
                  </Button>
                  {u.totp && (
                    <Button size="small" onClick={() => open({ kind: 'totp', user: u })} data-testid={`user-totp-reset-${u.name}`}>
                      {tu('totpReset')}
                    </Button>
                  )}
                  <Popconfirm
                    title={tu(u.disabled ? 'enableConfirm' : 'disableConfirm', { name: u.name })}
                    okText={tu('yes')}
                    cancelText={tu('no')}
                    okButtonProps={{ 'data-testid': `user-toggle-ok-${u.name}` }}
                    onConfirm={() =>
                      change(u, { disabled: !u.disabled }, tu('changed', { name: u.name }))
                    }
                  >
                    <Button size="small" danger={!u.disabled} data-testid={`user-toggle-${u.name}`}>
                      {u.disabled ? tu('enable') : tu('disable')}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      </States>
      <Modal
        open={dialog?.kind === 'create'}
        title={tu('create')}
        okText={tu('save')}
        cancelText={tu('cancel')}
        onOk={() => createForm.submit()}
        onCancel={() => setDialog(null)}
        okButtonProps={{ 'data-testid': 'user-save' }}
        forceRender
      >
        {dialog?.kind === 'create' && errorBox}
        <UserForm form={createForm} onFinish={create} orgs={orgs} />
      </Modal>
      <Modal
        open={dialog?.kind === 'role'}
        title={dialog?.kind === 'role' ? tu('changeRoleTitle', { name: dialog.user.name }) : ''}
        okText={tu('save')}
        cancelText={tu('cancel')}
        onOk={() => roleForm.submit()}
        onCancel={() => setDialog(null)}
        okButtonProps={{ 'data-testid': 'role-save' }}
        forceRender
      >
        {dialog?.kind === 'role' && errorBox}
        <Form
          form={roleForm}
          layout="vertical"
          onFinish={(v: { role: string }) =>
            dialog?.kind === 'role' && change(dialog.user, { role: v.role }, tu('changed', { name: dialog.user.name }))
          }
        >
          <Form.Item name="role" label={tu('role')} rules={roleRules(tu)}>
            <RoleSelect testid="role-select" />
          </Form.Item>
        </Form>
        {dialog?.kind === 'role' && newRole && newRole !== dialog.user.role && (
          <Alert type="warning" title={tu('roleConfirm', { name: dialog.user.name, role: tu(`role_${newRole}`) })} />
        )}
      </Modal>
      <Modal
        open={dialog?.kind === 'password'}
        title={dialog?.kind === 'password' ? tu('resetTitle', { name: dialog.user.name }) : ''}
        okText={tu('save')}
        cancelText={tu('cancel')}
        onOk={() => passwordForm.submit()}
        onCancel={() => setDialog(null)}
        okButtonProps={{ 'data-testid': 'password-save' }}
        forceRender
      >
        {dialog?.kind === 'password' && errorBox}
        <Form
          form={passwordForm}
          layout="vertical"
          onFinish={(v: { password: string }) =>
            dialog?.kind === 'password' &&
            change(dialog.user, { password: v.password }, tu('resetOk', { name: dialog.user.name }))
          }
        >
          <PasswordFields label={tu('newPassword')} testid="reset" userName={dialog?.kind === 'password' ? dialog.user.name : ''} />
        </Form>
      </Modal>
      <Modal
        open={dialog?.kind === 'totp'}
        title={dialog?.kind === 'totp' ? tu('totpResetTitle', { name: dialog.user.name }) : ''}
        okText={tu('totpReset')}
        cancelText={tu('cancel')}
        onOk={() => totpForm.submit()}
        onCancel={() => setDialog(null)}
        okButtonProps={{ danger: true, 'data-testid': 'totp-reset-save' }}
        forceRender
      >
        {dialog?.kind === 'totp' && errorBox}
        {dialog?.kind === 'totp' && <Alert type="warning" title={tu('totpResetHelp', { name: dialog.user.name })} style={{ marginBottom: 12 }} />}
        <Form
          form={totpForm}
          layout="vertical"
          onFinish={(v: { reason: string }) =>
            dialog?.kind === 'totp' &&
            send(dialog.user.name,
                 () => api('POST', `/users/${encodeURIComponent(dialog.user.name)}/totp/reset`, { reason: v.reason }),
                 tu('totpResetOk', { name: dialog.user.name }))
          }
        >
          <Form.Item name="reason" label={tu('totpResetReason')} rules={[{ required: true, whitespace: true, message: tu('totpResetReasonRequired') }]}>
            <Input.TextArea rows={2} maxLength={500} data-testid="totp-reset-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
    {me.whole_tree !== false && <ApiTokens />}
    </>
  );
}
