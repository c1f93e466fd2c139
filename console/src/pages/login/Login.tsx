// Log-in: user name and password; the server answers one generic message for
// any mistake and limits attempts, and the form says what it said.
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

export default function Login({ expired, onLogin, onToggleLang }: Props) {
  const { t } = useTranslation();
  useDocumentTitle(t('login'));
  const { t: ta } = useTranslation('apply');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (values: { name: string; password: string }) => {
    setBusy(true);
    setError('');
    try {
      const me = await api<Me>('POST', '/session', values);
      setCsrf(me.csrf ?? '');
      onLogin(me);
    } catch (e) {
      // One sentence for a wrong name or password (the server does not say which).
      if (e instanceof ApiError && e.code === 'unauthorized') setError(t('loginWrong'));
      else setError(t('loginFailed', { message: errorText(t, e) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('title')} extra={<Button onClick={onToggleLang} data-testid="lang">{t('language')}</Button>}
          style={{ maxWidth: 420, margin: '96px auto' }}>
      {expired && !error && (
        <Alert type="warning" showIcon title={t('sessionExpired')} style={{ marginBottom: 16 }} data-testid="session-expired" />
      )}
      <Form layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item label={t('user')} name="name" rules={[{ required: true, message: t('userRequired') }]}>
          <Input autoComplete="username" data-testid="login-name" />
        </Form.Item>
        <Form.Item label={t('password')} name="password" rules={[{ required: true, message: t('passwordRequired') }]}>
          <Input.Password autoComplete="current-password" data-testid="login-password" />
        </Form.Item>
        {error && <Alert type="error" title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Button type="primary" htmlType="submit" loading={busy} block data-testid="login-submit">
          {t('login')}
        </Button>
      </Form>
      {/* A plain link: the application pages need no session. */}
      <div style={{ marginTop: 16, textAlign: 'center' }}>
        <Typography.Link href="/apply" data-testid="login-apply">
          {ta('applyLink')}
        </Typography.Link>
      </div>
    </Card>
  );
}
