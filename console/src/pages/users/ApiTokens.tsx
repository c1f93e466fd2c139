// API tokens (administrators only), below the users on the same page: each
// token's name, role, when it was created and last used, and whether it is
// revoked; revoking asks first and takes effect on the token's next request.
// The token itself is shown only once, where it is created (`posfleet token
// create`), never here.
import { useState } from 'react';
import { Alert, Button, Card, Popconfirm, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import States from '../../common/States';
import { errorText } from '../../common/errors';
import { formatTime } from '../../common/time';
import { useApi } from '../../common/useApi';

interface ApiToken {
  id: number;
  name: string;
  role: string;
  created: string;
  last_used: string | null;
  revoked: string | null;
}

export default function ApiTokens() {
  const { t } = useTranslation();
  const { t: tu, i18n } = useTranslation('users');
  const tokens = useApi<{ tokens: ApiToken[] }>('/tokens');
  const [error, setError] = useState('');
  const [info, setInfo] = useState('');
  const time = (v: string | null) => (v ? formatTime(v, i18n.language) : tu('tokenNever'));

  const revoke = async (tok: ApiToken) => {
    setError('');
    setInfo('');
    try {
      await api('POST', `/tokens/${tok.id}/revoke`, { reason: 'console' });
      setInfo(tu('tokenRevoked', { name: tok.name }));
    } catch (e) {
      setError(errorText(t, e));
    }
    tokens.reload();
  };

  return (
    <Card title={tu('tokensTitle')} style={{ marginTop: 16 }} data-testid="tokens">
      <Typography.Paragraph type="secondary">{tu('tokensHelp')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="tokens-error" />}
      {info && <Alert type="success" showIcon title={info} style={{ marginBottom: 12 }} data-testid="tokens-info" />}
      <States loading={tokens.loading} error={tokens.error} onRetry={tokens.reload}>
        <Table<ApiToken>
          rowKey="id"
          size="small"
          scroll={{ x: 700 }}
          data-testid="tokens-table"
          dataSource={tokens.data?.tokens ?? []}
          locale={{ emptyText: tu('tokensEmpty') }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          columns={[
            { title: tu('tokenName'), dataIndex: 'name' },
            { title: tu('role'), dataIndex: 'role', render: (v: string) => <Tag>{tu(`role_${v}`)}</Tag> },
            { title: tu('created'), dataIndex: 'created', render: time },
            { title: tu('tokenLastUsed'), dataIndex: 'last_used', render: time },
            {
              title: tu('status'),
              dataIndex: 'revoked',
              render: (v: string | null, tok: ApiToken) => (
                <Tag color={v ? 'default' : 'green'} data-testid={`token-status-${tok.id}`}>
                  {v ? tu('tokenRevokedAt', { time: time(v) }) : tu('tokenValid')}
                </Tag>
              ),
            },
            {
              title: tu('actions'),
              key: 'actions',
              render: (_: unknown, tok: ApiToken) =>
                !tok.revoked && (
                  <Popconfirm
                    title={tu('tokenRevokeConfirm', { name: tok.name })}
                    okText={tu('yes')}
                    cancelText={tu('no')}
                    okButtonProps={{ danger: true, 'data-testid': `token-revoke-ok-${tok.id}` }}
                    onConfirm={() => revoke(tok)}
                  >
                    <Button size="small" danger data-testid={`token-revoke-${tok.id}`}>
                      {tu('tokenRevoke')}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </States>
    </Card>
  );
}
