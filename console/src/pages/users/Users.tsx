// Back-office users (administrators only): the list, creating a user with a
// role and an initial password, changing a role, resetting a password, and
// disabling or enabling an account — each confirmed first. Any change ends
// the user's sessions; the server refuses to leave no active administrator.
// Below them: API tokens (ApiTokens.tsx).
import { useState } from 'react';
import { Alert, Button, Card, Form, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import PageTitle from '../../common/PageTitle';
import { api, ApiError, Me } from '../../api';
import States from '../../common/States';
import { errorText } from '../../common/errors';
import { formatTime, userTimeZone } from '../../common/time';
import { useApi } from '../../common/useApi';
import ApiTokens from './ApiTokens';
import UserForm, { NewUser, PasswordFields, RoleSelect, roleRules } from './UserForm';

interface User {
  name: string;
  role: string;
  disabled: boolean;
  created: string;
}

type Dialog = { kind: 'create' } | { kind: 'role'; user: User } | { kind: 'password'; user: User } | null;

export default function Users({ me }: { me: Me }) {
  const { t } = useTranslation();
  const { t: tu, i18n } = useTranslation('users');
  const users = useApi<{ users: User[] }>('/users');
  const [dialog, setDialog] = useState<Dialog>(null);
  const [error, setError] = useState('');
  const [info, setInfo] = useState('');
  const [createForm] = Form.useForm();
  const [roleForm] = Form.useForm();
  const [passwordForm] = Form.useForm();
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
    send(v.name, () => api('POST', '/users', { name: v.name, role: v.role, password: v.password }), tu('created_ok', { name: v.name }));

  const open = (d: Dialog) => {
    setError('');
    createForm.resetFields();
    roleForm.resetFields();
    passwordForm.resetFields();
    if (d?.kind === 'role') roleForm.setFieldsValue({ role: d.user.role });
    setDialog(d);
  };

  const errorBox = error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="users-error" />;
  return (
    <>
    <PageTitle title={tu('title')} />
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
            {
              title: tu('status'),
              dataIndex: 'disabled',
              render: (v: boolean, u: User) => (
                <Tag color={v ? 'default' : 'green'} data-testid={`user-status-${u.name}`}>{v ? tu('disabled') : tu('active')}</Tag>
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
        <UserForm form={createForm} onFinish={create} />
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
          <PasswordFields label={tu('newPassword')} testid="reset" />
        </Form>
      </Modal>
    </Card>
    <ApiTokens />
    </>
  );
}
