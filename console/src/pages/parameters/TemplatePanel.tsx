// A template as the server keeps it, read only: each field's key, names in both languages,
// type, rules and default, and whether it is sensitive. Templates are made with the CLI or the
// API (administrators may also paste one here: TemplateModal).
import { Collapse, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../../common/time';
import type { Field, Template } from './types';
import { plainText, rulesText } from './words';

export default function TemplatePanel({ tpl }: { tpl: Template }) {
  const { t, i18n } = useTranslation('parameters');
  const fields = (
    <>
      <Typography.Paragraph type="secondary">
        {t('templateBy', { who: tpl.created_by, time: formatTime(tpl.updated ?? tpl.created, i18n.language) })}
      </Typography.Paragraph>
      <Table<Field>
        rowKey="key"
        size="small"
        pagination={false}
        dataSource={tpl.fields}
        scroll={{ x: 760 }}
        data-testid="template-fields"
        columns={[
          { title: t('key'), dataIndex: 'key', render: (k: string) => <Typography.Text code>{k}</Typography.Text> },
          { title: t('labelZh'), key: 'zh', render: (_: unknown, f) => f.label['zh-CN'] },
          { title: t('labelEn'), key: 'en', render: (_: unknown, f) => f.label.en },
          { title: t('type'), dataIndex: 'type', render: (x: string) => t(`type_${x}`, { defaultValue: x }) },
          { title: t('rules'), key: 'rules', render: (_: unknown, f) => rulesText(t, { ...f, default: undefined, sensitive: false }) },
          { title: t('default'), key: 'default', render: (_: unknown, f) => plainText(t, f.default) },
          { title: t('sensitive'), key: 'sensitive', render: (_: unknown, f) => f.sensitive && <Tag color="purple">{t('sensitive')}</Tag> },
        ]}
      />
    </>
  );
  return (
    <Collapse
      size="small"
      data-testid="template-panel"
      items={[{ key: 'fields', label: t('templateOf', { name: tpl.name, app: tpl.app, n: tpl.revision }), children: fields }]}
    />
  );
}
