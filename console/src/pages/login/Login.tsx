// Log-in: user name and password; the server answers one generic message for
// any mistake and limits attempts, and the form says what it said. A user
// with two-step verification is then asked for the authenticator app's code
// (the server answers totp_required); name and password are sent again with
// it, so nothing half-logged-in exists on the server.
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, ApiError, Me, setCsrf } from '../../api';
import { errorText } from '../../common/errors';
import { useDocumentTitle } from '../../common/PageTitle';

interface Props {
  expired?: boolean; // the session ended while the user worked: say so
  onLogin: (me: Me) => void;
  onToggleLang: () => void;
}

interface Credentials {
  name: string;
  password: string;
}

export default function Login({ expired, onLogin, onToggleLang }: Props) {
  const { t } = useTranslation();
  const { t: tl } = useTranslation('login');
  useDocumentTitle(t('login'));
  const { t: ta } = useTranslation('apply');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // Set once the password was right and the server asks for the code.
  const [pending, setPending] = useState<Credentials | null>(null);
  const [codeForm] = Form.useForm();

  const send = async (body: Credentials & { code?: string }) => {
    setBusy(true);
    setError('');
    try {
      const me = await api<Me>('POST', '/session', body);
      setCsrf(me.csrf ?? '');
      setPending(null);
      onLogin(me);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'totp_required') {
        setPending({ name: body.name, password: body.password });
        codeForm.resetFields();
      } else if (e instanceof ApiError && e.code === 'totp_wrong') {
        setError(tl('codeWrong'));
        codeForm.resetFields();
      } else if (e instanceof ApiError && e.code === 'unauthorized') {
        // One sentence for a wrong name or password (the server does not say which).
        setPending(null);
        setError(t('loginWrong'));
      } else setError(t('loginFailed', { message: errorText(t, e) }));
    } finally {
      setBusy(false);
    }
  };

  const errorBox = error && <Alert type="error" title={error} style={{ marginBottom: 16 }} data-testid="login-error" />;
  return (
    <Card title={t('title')} extra={<Button onClick={onToggleLang} data-testid="lang">{t('language')}</Button>}
          style={{ maxWidth: 420, margin: '96px auto' }}>
      {expired && !error && !pending && (
        <Alert type="warning" showIcon title={t('sessionExpired')} style={{ marginBottom: 16 }} data-testid="session-expired" />
      )}
      {pending ? (
        <Form form={codeForm} layout="vertical" requiredMark={false} data-testid="login-totp"
              onFinish={(v: { code: string }) => send({ ...pending, code: v.code.replace(/\s/g, '') })}>
          <Form.Item label={tl('codeLabel')} name="code" extra={tl('codeHelp')}
                     rules={[{ required: true, message: tl('codeRequired') },
                             { pattern: /^\s*\d{3}\s?\d{3}\s*$/, message: tl('codeFormat') }]}>
            <Input autoComplete="one-time-code" inputMode="numeric" maxLength={7} autoFocus data-testid="login-code" />
          </Form.Item>
          {errorBox}
          <Button type="primary" htmlType="submit" loading={busy} block data-testid="login-code-submit">
            {tl('verify')}
          </Button>
          <Button type="link" block onClick={() => { setPending(null); setError(''); }} data-testid="login-back">
            {tl('back')}
          </Button>
        </Form>
      ) : (
        <Form layout="vertical" onFinish={send} requiredMark={false}>
          <Form.Item label={t('user')} name="name" rules={[{ required: true, message: t('userRequired') }]}>
            <Input autoComplete="username" data-testid="login-name" />
          </Form.Item>
          <Form.Item label={t('password')} name="password" rules={[{ required: true, message: t('passwordRequired') }]}>
            <Input.Password autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          {errorBox}
          <Button type="primary" htmlType="submit" loading={busy} block data-testid="login-submit">
            {t('login')}
          </Button>
        </Form>
      )}
      {/* A plain link: the application pages need no session. */}
      <div style={{ marginTop: 16, textAlign: 'center' }}>
        <Typography.Link href="/apply" data-testid="login-apply">
          {ta('applyLink')}
        </Typography.Link>
      </div>
    </Card>
  );
}
