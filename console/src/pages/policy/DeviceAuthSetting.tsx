// The fleet's terminal authentication setting: whether a terminal that
// presents its client certificate must still send its DDI token.
// Administrators change it (with a reason, audited); others see it.
import { useState } from 'react';
import { Alert, Card, Input, Space, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { errorText } from '../../common/errors';
import { useApi } from '../../common/useApi';

interface DeviceAuth {
  token_required: boolean;
  device_ca: boolean;
}

export default function DeviceAuthSetting({ canChange }: { canChange: boolean }) {
  const { t } = useTranslation();
  const { t: tp } = useTranslation('policy');
  const view = useApi<DeviceAuth>('/fleet/device-auth');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const change = async (tokenRequired: boolean) => {
    setBusy(true);
    setError('');
    try {
      await api('PUT', '/fleet/device-auth', { token_required: tokenRequired, reason: reason.trim() });
      setReason('');
      view.reload();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  const v = view.data;
  return (
    <Card title={tp('deviceAuthTitle')} data-testid="device-auth">
      {view.error && <Alert type="error" showIcon title={view.error} />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="device-auth-error" />}
      {v && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Space>
            <Switch
              checked={!v.token_required}
              disabled={!canChange || busy}
              loading={busy}
              onChange={(optional) => change(!optional)}
              data-testid="device-auth-switch"
            />
            <Typography.Text data-testid="device-auth-state">
              {v.token_required ? tp('deviceAuthTokenRequired') : tp('deviceAuthTokenOptional')}
            </Typography.Text>
          </Space>
          {canChange && (
            <Input
              value={reason}
              maxLength={160}
              onChange={(e) => setReason(e.target.value)}
              placeholder={tp('deviceAuthReason')}
              data-testid="device-auth-reason"
            />
          )}
          <Typography.Paragraph type="secondary">{tp('deviceAuthHelp')}</Typography.Paragraph>
        </Space>
      )}
    </Card>
  );
}
