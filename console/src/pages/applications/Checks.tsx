// The verification provider's answers for an application, and the banner
// that cannot be missed when the provider checked the format only.
import { Alert, Button, List, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Application } from './types';

const OUTCOME_COLOURS = { pass: 'success', fail: 'error', format_only: 'warning' } as const;

// Shown at the top of the review when the provider checked the format only.
export function FormatOnlyBanner() {
  const { t: tr } = useTranslation('applications');
  return (
    <Alert type="warning" showIcon title={tr('formatOnly')} description={tr('formatOnlyHelp')} data-testid="format-only-banner" />
  );
}

export default function Checks({ app, busy, onReverify }: { app: Application; busy: boolean; onReverify: () => void }) {
  const { t: tr, i18n } = useTranslation('applications');
  const checks = app.checks;
  return (
    <div data-testid="app-checks">
      <Space style={{ marginBottom: 8 }} wrap>
        <Typography.Text strong>{tr('checks')}</Typography.Text>
        {checks && <Typography.Text type="secondary">{tr('provider', { name: tr(`provider_${checks.provider}`, { defaultValue: checks.provider }) })}</Typography.Text>}
        <Button size="small" onClick={onReverify} loading={busy} data-testid="app-reverify">
          {tr('reverify')}
        </Button>
      </Space>
      <List
        size="small"
        bordered
        dataSource={checks?.items ?? []}
        renderItem={(c) => (
          <List.Item data-testid={`check-${c.item}`} data-outcome={c.outcome}>
            <Space align="start">
              <Tag color={OUTCOME_COLOURS[c.outcome] ?? 'default'}>{tr(`outcome_${c.outcome}`, { defaultValue: c.outcome })}</Tag>
              <span>{i18n.language === 'en' ? c.en : c.zh}</span>
            </Space>
          </List.Item>
        )}
      />
    </div>
  );
}
