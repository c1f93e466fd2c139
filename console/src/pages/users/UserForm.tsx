// The forms of the users page, with the server's rules (domain/accounts.cc):
// a user name of 1-64 letters, digits, '.', '_' or '-'; one of four roles; a
// password typed twice that meets the password policy (common/passwords.ts, the
// mirror of the server's check_password); the user's organisation when the administrator's
// subtree has more than its own (the administrator's own unless another is chosen).
import { Form, Input, Select } from 'antd';
import type { FormInstance, Rule } from 'antd/es/form';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from '../../common/passwords';
import OrganisationPicker from '../organisations/OrganisationPicker';
import type { Organisation } from '../organisations/organisationList';

export const ROLES = ['admin', 'release_manager', 'support', 'auditor'];

export function nameRules(t: TFunction): Rule[] {
  return [
    { required: true, message: t('nameRequired') },
    { pattern: /^[A-Za-z0-9._-]{1,64}$/, message: t('nameInvalid') },
  ];
}
// `userName`: the user the password is for (a fixed name, or read from the form's name field).
export function passwordRules(t: TFunction, userName?: string): Rule[] {
  return [
    { required: true, message: t('passwordRequired') },
    ({ getFieldValue }) => ({
      validator: (_, v?: string) => {
        const problem = v ? passwordProblem(v, userName ?? getFieldValue('name') ?? '') : '';
        return problem
          ? Promise.reject(new Error(t(problem, { min: PASSWORD_MIN, max: PASSWORD_MAX })))
          : Promise.resolve();
      },
    }),
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
export function PasswordFields({ label, testid = 'user', userName }: { label: string; testid?: string; userName?: string }) {
  const { t } = useTranslation('users');
  return (
    <>
      <Form.Item name="password" label={label} rules={passwordRules(t, userName)} dependencies={userName ? [] : ['name']}
                 extra={t('passwordHelp', { min: PASSWORD_MIN, max: PASSWORD_MAX })}>
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
  organisation?: number; // absent: the administrator's own
}

interface Props {
  form: FormInstance;
  onFinish: (u: NewUser) => void;
  // The administrator's subtree in tree order (its own first); the choice shows only when it
  // holds more than one.
  orgs?: Organisation[];
}

// Creating a user: name, role, organisation and the initial password.
export default function UserForm({ form, onFinish, orgs = [] }: Props) {
  const { t } = useTranslation('users');
  return (
    <Form form={form} layout="vertical" onFinish={onFinish} data-testid="user-form">
      <Form.Item name="name" label={t('name')} rules={nameRules(t)}>
        <Input data-testid="user-name" autoComplete="off" />
      </Form.Item>
      <Form.Item name="role" label={t('role')} rules={roleRules(t)}>
        <RoleSelect />
      </Form.Item>
      {orgs.length > 1 && (
        <Form.Item name="organisation" label={t('organisation')} initialValue={orgs[0].id}
                   rules={[{ required: true, message: t('organisationRequired') }]} extra={t('organisationHelp')}>
          <OrganisationPicker orgs={orgs} testid="user-organisation" />
        </Form.Item>
      )}
      <PasswordFields label={t('password')} />
    </Form>
  );
}
