// Setting up two-step verification: the server makes the secret and shows it
// once (QR code of the otpauth:// URI, and the key as text); the first code
// from the app turns it on. Administrators meet this page before anything
// else when the fleet requires it (`required`); anyone may open it.
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, QRCode, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, ApiError, Me } from '../../api';
import { errorText } from '../../common/errors';
import { useDocumentTitle } from '../../common/PageTitle';

interface Secret {
  secret: string;
  uri: string;
}

interface Props {
  me: Me;
  required?: boolean;
  onDone: () => void; // TOTP is on: read the session again
  onLogout?: () => void;
}

export default function TotpSetup({ me, required, onDone, onLogout }: Props) {
  const { t } = useTranslation();
  const { t: tl } = useTranslation('login');
  useDocumentTitle(tl('setupTitle'));
  const [secret, setSecret] = useState<Secret | null>(null);
  const [error, setError] = useState('');
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const start = async () => {
    setError('');
    setBusy(true);
    try {
      setSecret(await api<Secret>('POST', '/session/totp'));
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  const confirm = async (v: { code: string }) => {
    setError('');
    setBusy(true);
    try {
      await api('POST', '/session/totp/confirm', { code: v.code.replace(/\s/g, '') });
      setSecret(null);
      setDone(true);
      onDone();
    } catch (e) {
      setError(e instanceof ApiError && e.code === 'totp_wrong' ? tl('codeWrong') : errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={tl('setupTitle')} style={{ maxWidth: 520, margin: required ? '64px auto' : undefined }}
          extra={onLogout && <Button onClick={onLogout} data-testid="totp-logout">{tl('logout')}</Button>}
          data-testid="totp-setup">
      {required && <Alert type="warning" showIcon title={tl('setupRequired')} style={{ marginBottom: 16 }} data-testid="totp-required" />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="totp-error" />}
      {done || (me.totp && !secret) ? (
        <Alert type="success" showIcon title={done ? tl('setupDone') : tl('setupAlready')} data-testid="totp-on" />
      ) : secret ? (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph>{tl('setupIntro')}</Typography.Paragraph>
          <QRCode value={secret.uri} data-testid="totp-qr" />
          <Typography.Text>
            {tl('secret')}：<Typography.Text code copyable data-testid="totp-secret">{secret.secret}</Typography.Text>
          </Typography.Text>
          <Typography.Text type="warning">{tl('setupOnce')}</Typography.Text>
          <Form layout="vertical" onFinish={confirm} requiredMark={false}>
            <Form.Item label={tl('codeLabel')} name="code"
                       rules={[{ required: true, message: tl('codeRequired') },
                               { pattern: /^\s*\d{3}\s?\d{3}\s*$/, message: tl('codeFormat') }]}>
              <Input autoComplete="one-time-code" inputMode="numeric" maxLength={7} data-testid="totp-code" />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="totp-confirm">{tl('setupConfirm')}</Button>
          </Form>
        </Space>
      ) : (
        <Button type="primary" onClick={start} loading={busy} data-testid="totp-start">{tl('setupStart')}</Button>
      )}
    </Card>
  );
}
