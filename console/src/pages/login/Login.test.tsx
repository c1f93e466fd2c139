// The log-in form: both fields are required, in the user's language, and a
// wrong name or password shows one sentence that does not say which.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import i18n from '../../i18n';
import Login from './Login';

describe('Login form', () => {
  it('asks for both fields before sending anything (zh-CN)', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    render(<Login onLogin={() => undefined} onToggleLang={() => undefined} />);
    fireEvent.click(screen.getByTestId('login-submit'));
    expect(await screen.findByText('请输入用户名')).toBeTruthy();
    expect(await screen.findByText('请输入密码')).toBeTruthy();
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });

  it('says the same in English', async () => {
    await i18n.changeLanguage('en');
    render(<Login onLogin={() => undefined} onToggleLang={() => undefined} />);
    fireEvent.click(screen.getByTestId('login-submit'));
    expect(await screen.findByText('Enter your user name')).toBeTruthy();
    await i18n.changeLanguage('zh-CN');
  });

  it('shows one generic sentence when the server refuses', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'user name or password is wrong' } }), {
        status: 401,
      }),
    );
    render(<Login onLogin={() => undefined} onToggleLang={() => undefined} />);
    fireEvent.change(screen.getByTestId('login-name'), { target: { value: 'admin' } });
    fireEvent.change(screen.getByTestId('login-password'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    expect(await screen.findByText('用户名或密码错误')).toBeTruthy();
    fetchSpy.mockRestore();
  });
});
