// The user form: name, role and password are required; the name has the
// server's characters, the password the server's policy (12 to 128
// characters, not the user name, not a common password), typed twice the
// same — each in the user's language and before anything is sent.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { Button, Form } from 'antd';
import i18n from '../../i18n';
import UserForm, { NewUser } from './UserForm';

function Harness({ onFinish }: { onFinish: (u: NewUser) => void }) {
  const [form] = Form.useForm();
  return (
    <>
      <UserForm form={form} onFinish={onFinish} />
      <Button onClick={() => form.submit()} data-testid="submit">submit</Button>
    </>
  );
}

function type(testid: string, value: string) {
  fireEvent.change(screen.getByTestId(testid), { target: { value } });
}

afterEach(async () => {
  vi.restoreAllMocks();
  await i18n.changeLanguage('zh-CN');
});

describe('user form', () => {
  it('requires a name, a role and a password (zh-CN)', async () => {
    const done = vi.fn();
    render(<Harness onFinish={done} />);
    fireEvent.click(screen.getByTestId('submit'));
    expect(await screen.findByText('请输入用户名')).toBeTruthy();
    expect(await screen.findByText('请选择角色')).toBeTruthy();
    expect((await screen.findAllByText('请输入密码')).length).toBeGreaterThan(0);
    expect(done).not.toHaveBeenCalled();
  });

  it('checks the name and the password rules', async () => {
    const done = vi.fn();
    render(<Harness onFinish={done} />);
    type('user-name', 'a b');
    expect(await screen.findByText('用户名为 1–64 位字母、数字或 . _ -')).toBeTruthy();
    type('user-password', 'short');
    expect(await screen.findByText('密码至少 12 个字符')).toBeTruthy();
    type('user-password', 'Password1234');
    expect(await screen.findByText('这个密码太常见，请换一个')).toBeTruthy();
    type('user-name', 'olga.petrova');
    type('user-password', 'Olga.Petrova');
    expect(await screen.findByText('密码不能与用户名相同')).toBeTruthy();
    type('user-password', 'long-enough-1');
    type('user-confirm', 'long-enough-2');
    expect(await screen.findByText('两次输入的密码不一致')).toBeTruthy();
    expect(screen.getByText(/^12–128 个字符，不能与用户名相同/)).toBeTruthy();
    fireEvent.click(screen.getByTestId('submit'));
    expect(await screen.findByText('请选择角色')).toBeTruthy();
    expect(done).not.toHaveBeenCalled();
  });

  it('says the same in English', async () => {
    await i18n.changeLanguage('en');
    render(<Harness onFinish={() => undefined} />);
    fireEvent.click(screen.getByTestId('submit'));
    expect(await screen.findByText('Enter a user name')).toBeTruthy();
    expect(await screen.findByText('Choose a role')).toBeTruthy();
    type('user-password', 'short');
    expect(await screen.findByText('A password needs at least 12 characters')).toBeTruthy();
  });
});
