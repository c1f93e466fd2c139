// The user form: name, role and password are required; the name has the
// server's characters, the password the server's policy (12 to 128
// characters, not the user name, not a common password), typed twice the
// same — each in the user's language and before anything is sent. The organisation is chosen
// only when the administrator's subtree holds more than its own: its own by default, the others
// in tree order, indented, with their kinds.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { Button, Form } from 'antd';
import i18n from '../../i18n';
import type { Organisation } from '../organisations/organisationList';
import UserForm, { NewUser } from './UserForm';

function Harness({ onFinish, orgs }: { onFinish: (u: NewUser) => void; orgs?: Organisation[] }) {
  const [form] = Form.useForm();
  return (
    <>
      <UserForm form={form} onFinish={onFinish} orgs={orgs} />
      <Button onClick={() => form.submit()} data-testid="submit">submit</Button>
    </>
  );
}

function type(testid: string, value: string) {
  fireEvent.change(screen.getByTestId(testid), { target: { value } });
}

function open(testid: string) {
  const select = screen.getByTestId(testid);
  fireEvent.mouseDown(select.querySelector('.ant-select-selector') ?? select.querySelector('input') ?? select);
}
// The organisation picker's options (the role list stays in the page once opened).
const options = () => [...document.querySelectorAll<HTMLElement>('.ant-select-item-option')]
  .filter((o) => o.querySelector('[data-testid^="user-organisation-"]'));

// A valid user but for the organisation.
async function fillIn() {
  type('user-name', 'east-ops');
  open('user-role');
  fireEvent.click(await screen.findByTitle('发布经理 — 版本发布、部署、更新策略'));
  type('user-password', 'long-enough-password');
  type('user-confirm', 'long-enough-password');
}

const orgs: Organisation[] = [
  { id: 1, parent: null, kind: 'acquirer', name: '', depth: 0, created_by: '' },
  { id: 2, parent: 1, kind: 'reseller', name: '华东代理', depth: 1, created_by: 'admin' },
  { id: 4, parent: 2, kind: 'merchant', name: '西湖茶馆', depth: 2, created_by: 'admin' },
];

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

  it('makes the user in the administrator\'s own organisation unless another is chosen', async () => {
    const done = vi.fn();
    const { unmount } = render(<Harness onFinish={done} orgs={orgs} />);
    const picker = screen.getByTestId('user-organisation');
    expect(picker.closest('.ant-select')?.textContent).toContain('收单机构');
    expect(screen.getByText('用户只能看到和管理这个组织及其下级组织的终端；默认为您自己的组织。')).toBeTruthy();
    await fillIn();
    fireEvent.click(screen.getByTestId('submit'));
    await waitFor(() => expect(done).toHaveBeenCalledTimes(1));
    expect(done.mock.calls[0][0]).toMatchObject({ name: 'east-ops', role: 'release_manager', organisation: 1 });
    open('user-organisation');
    await waitFor(() => expect(options().length).toBe(3));
    expect(options().map((o) => o.textContent)).toEqual(['收单机构', '华东代理代理商', '西湖茶馆商户']);
    expect(screen.getByTestId('user-organisation-4').style.paddingLeft).toBe('32px');
    fireEvent.click(options()[1]);
    fireEvent.click(screen.getByTestId('submit'));
    await waitFor(() => expect(done).toHaveBeenCalledTimes(2));
    expect(done.mock.calls[1][0]).toMatchObject({ name: 'east-ops', organisation: 2 });
    unmount();
    await i18n.changeLanguage('en');
    render(<Harness onFinish={done} orgs={orgs} />);
    expect(screen.getByTestId('user-organisation').closest('.ant-select')?.textContent).toContain('Acquirer');
    expect(screen.getByText('Organisation')).toBeTruthy();
  }, 60000);

  it('offers no choice when the administrator\'s subtree is its own organisation alone', async () => {
    const done = vi.fn();
    render(<Harness onFinish={done} orgs={orgs.slice(1, 2)} />);
    expect(screen.queryByTestId('user-organisation')).toBeNull();
    await fillIn();
    fireEvent.click(screen.getByTestId('submit'));
    await waitFor(() => expect(done).toHaveBeenCalledTimes(1));
    expect(done.mock.calls[0][0].organisation).toBeUndefined();
  }, 60000);
});
