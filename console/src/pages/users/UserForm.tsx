// The forms of the users page, with the server's rules (domain/accounts.cc):
// a user name of 1-64 letters, digits, '.', '_' or '-'; one of four roles; a
// password of at least 10 characters, typed twice.
import { Form, Input, Select } from 'antd';
import type { FormInstance, Rule } from 'antd/es/form';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';

export const PASSWORD_MIN = 10;
export const ROLES = ['admin', 'release_manager', 'support', 'auditor'];

export function nameRules(t: TFunction): Rule[] {
  return [
    { required: true, message: t('nameRequired') },
    { pattern: /^[A-Za-z0-9._-]{1,64}$/, message: t('nameInvalid') },
  ];
}
export function passwordRules(t: TFunction): Rule[] {
  return [
    { required: true, message: t('passwordRequired') },
    { min: PASSWORD_MIN, message: t('passwordRule', { min: PASSWORD_MIN }) },
  ];
}
export function roleRules(t: TFunction): Rule[] {
  return [{ required: true, message: t('roleRequired') }];
}

export function RoleSelect(props: { value?: string; onChange?: (v: string) => void; testid?: string }) {
  const { t } = useTranslation('users');
  return (
    <Select
      value={props.value}
      onChange={props.onChange}
      data-testid={props.testid ?? 'user-role'}
      options={ROLES.map((r) => ({ value: r, label: `${t(`role_${r}`)} — ${t(`roleHelp_${r}`)}` }))}
    />
  );
}

// A password typed twice, with the rule shown under the field.
export function PasswordFields({ label, testid = 'user' }: { label: string; testid?: string }) {
  const { t } = useTranslation('users');
  return (
    <>
      <Form.Item name="password" label={label} rules={passwordRules(t)} extra={t('passwordHelp', { min: PASSWORD_MIN })}>
        <Input.Password data-testid={`${testid}-password`} autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name="confirm"
        label={t('confirmPassword')}
        dependencies={['password']}
        rules={[
          { required: true, message: t('passwordRequired') },
          ({ getFieldValue }) => ({
            validator: (_, v) =>
              !v || v === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('passwordMismatch'))),
          }),
        ]}
      >
        <Input.Password data-testid={`${testid}-confirm`} autoComplete="new-password" />
      </Form.Item>
    </>
  );
}

export interface NewUser {
  name: string;
  role: string;
  password: string;
}

// Creating a user: name, role and the initial password.
export default function UserForm({ form, onFinish }: { form: FormInstance; onFinish: (u: NewUser) => void }) {
  const { t } = useTranslation('users');
  return (
    <Form form={form} layout="vertical" onFinish={onFinish} data-testid="user-form">
      <Form.Item name="name" label={t('name')} rules={nameRules(t)}>
        <Input data-testid="user-name" autoComplete="off" />
      </Form.Item>
      <Form.Item name="role" label={t('role')} rules={roleRules(t)}>
        <RoleSelect />
      </Form.Item>
      <PasswordFields label={t('password')} />
    </Form>
  );
}
