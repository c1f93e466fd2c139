// A terminal's parameters (参数下发): for each app its effective set — each field's value
// (sensitive ones only as set or not), where it comes from and who locks it —, the set's version
// and whether the terminal applied it, and when (in the reader's time); read again every 5 s
// while it has not.
import { Alert, Card, Empty, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../../common/time';
import { useApi } from '../../common/useApi';
import { useOrgNames } from '../parameters/orgNames';
import type { EffectiveValue, Template, TerminalApp } from '../parameters/types';
import { fieldLabel, sourceText, valueText } from '../parameters/words';

export default function ParametersCard({ serial }: { serial: string }) {
  const { t, i18n } = useTranslation('parameters');
  // Read again every 5 s while the terminal has not applied a set, so 等待终端应用 turns into
  // 已应用 without reloading the page.
  const [waiting, setWaiting] = useState(false);
  const view = useApi<{ apps: TerminalApp[] }>(
    `/terminals/${encodeURIComponent(serial)}/parameters`,
    waiting ? 5000 : 0,
  );
  useEffect(() => setWaiting((view.data?.apps ?? []).some((a) => !a.in_sync)), [view.data]);
  const templates = useApi<{ templates: Template[] }>('/parameters/templates');
  const { orgName } = useOrgNames();
  const apps = view.data?.apps ?? [];

  const applied = (a: TerminalApp) =>
    a.in_sync ? (
      <Tag color="green" data-testid={`param-applied-${a.app}`}>
        {t('cardApplied', { version: a.applied_version, time: formatTime(a.applied, i18n.language) })}
      </Tag>
    ) : (
      <Tag color="orange" data-testid={`param-applied-${a.app}`}>
        {a.applied_version ? t('cardWaitingHas', { version: a.applied_version }) : t('cardWaiting')}
      </Tag>
    );

  return (
    <Card title={t('card')} style={{ marginBottom: 16 }} data-testid="terminal-parameters" loading={view.loading && !view.data}>
      {view.error && <Alert type="error" showIcon title={view.error} />}
      {view.data && !apps.length && <Empty description={t('cardEmpty')} />}
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        {apps.map((a) => {
          const tpl = templates.data?.templates.find((x) => x.app === a.app);
          return (
            <div key={a.app} data-testid={`param-app-${a.app}`}>
              <Space wrap style={{ marginBottom: 8 }}>
                <Typography.Text strong>{tpl ? `${tpl.name} · ${a.app}` : a.app}</Typography.Text>
                <Typography.Text type="secondary">{t('cardVersion', { version: a.version })}</Typography.Text>
                {applied(a)}
              </Space>
              <Table<EffectiveValue>
                rowKey="key"
                size="small"
                pagination={false}
                dataSource={a.values}
                scroll={{ x: 560 }}
                columns={[
                  { title: t('field'), key: 'field', render: (_: unknown, v) => fieldLabel(tpl?.fields.find((f) => f.key === v.key), v.key, i18n.language) },
                  { title: t('value'), key: 'value', render: (_: unknown, v) => valueText(t, v) },
                  { title: t('source'), key: 'source', render: (_: unknown, v) => (
                    <>
                      {sourceText(t, v.source, orgName)}
                      {v.locked_by && <Tag color="red" style={{ marginLeft: 8 }}>{t('lockedBy', { where: sourceText(t, v.locked_by, orgName) })}</Tag>}
                    </>
                  ) },
                ]}
              />
            </div>
          );
        })}
      </Space>
    </Card>
  );
}
