// The step before saving: the reader names a terminal and sees its effective set before and
// after the changes (each field's value, where it comes from and who locks it; sensitive values
// only as set or not), then saves. A preview saves nothing; saving does not need one (a level
// may have no terminal yet), but the dialog offers it first.
import { useState } from 'react';
import { Alert, Button, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { errorText } from '../../common/errors';
import type { EffectiveValue, EffectiveSet, Field } from './types';
import { fieldLabel, sourceText, valueText } from './words';

interface Props {
  app: string;
  fields: Field[];
  body: Record<string, unknown>; // the PUT body: the level, the changes and the reason
  serial?: string; // the terminal offered first
  orgName: (id: number) => string;
  onSaved: () => void;
  onClose: () => void;
}

interface Row {
  key: string;
  before?: EffectiveValue;
  after?: EffectiveValue;
}

const same = (a?: EffectiveValue, b?: EffectiveValue) =>
  a?.set === b?.set && a?.value === b?.value && a?.source === b?.source && a?.locked_by === b?.locked_by;

export default function PreviewModal({ app, fields, body, serial: first = '', orgName, onSaved, onClose }: Props) {
  const { t, i18n } = useTranslation('parameters');
  const { t: tc } = useTranslation();
  const [serial, setSerial] = useState(first);
  const [result, setResult] = useState<{ before: EffectiveSet; after: EffectiveSet } | null>(null);
  const [busy, setBusy] = useState<'' | 'preview' | 'save'>('');
  const [error, setError] = useState('');
  const path = encodeURIComponent(app);

  const run = async (what: 'preview' | 'save') => {
    setBusy(what);
    setError('');
    try {
      if (what === 'preview')
        setResult(await api('POST', `/parameters/preview/${path}`, { ...body, terminal: serial.trim() }));
      else {
        await api('PUT', `/parameters/values/${path}`, body);
        onSaved();
      }
    } catch (e) {
      setError(errorText(tc, e));
    } finally {
      setBusy('');
    }
  };

  const cell = (v: EffectiveValue | undefined, testId: string) =>
    v && (
      <Space orientation="vertical" size={0} data-testid={testId}>
        <Typography.Text>{valueText(t, v)}</Typography.Text>
        <Typography.Text type="secondary">{t('source')}: {sourceText(t, v.source, orgName)}</Typography.Text>
        {v.locked_by && <Tag color="red">{t('lockedBy', { where: sourceText(t, v.locked_by, orgName) })}</Tag>}
      </Space>
    );
  const rows: Row[] = (result?.after.values ?? []).map((a) => ({
    key: a.key, after: a, before: result?.before.values.find((b) => b.key === a.key) }));

  return (
    <Modal open title={t('previewTitle', { app })} onCancel={onClose} width={860} destroyOnHidden
           footer={[
             <Button key="cancel" onClick={onClose}>{t('cancel')}</Button>,
             <Button key="save" type={result ? 'primary' : 'default'} loading={busy === 'save'} onClick={() => run('save')}
                     data-testid="preview-save">{t('save')}</Button>,
           ]}>
      <Typography.Paragraph type="secondary">{t('previewIntro')}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input value={serial} onChange={(e) => setSerial(e.target.value)} placeholder={t('serial')} maxLength={64}
               style={{ width: 220 }} data-testid="preview-serial" onPressEnter={() => serial.trim() && run('preview')} />
        <Button type={result ? 'default' : 'primary'} disabled={!serial.trim()} loading={busy === 'preview'}
                onClick={() => run('preview')} data-testid="preview-run">{t('preview')}</Button>
      </Space>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="preview-error" />}
      {result && (
        <>
          <Typography.Paragraph data-testid="preview-version">
            {t('versionLine', { before: result.before.version, after: result.after.version })}
          </Typography.Paragraph>
          {result.before.version === result.after.version && (
            <Alert type="info" showIcon title={t('unchanged')} style={{ marginBottom: 12 }} data-testid="preview-unchanged" />
          )}
          <Table<Row>
            rowKey="key"
            size="small"
            pagination={false}
            data-testid="preview-table"
            dataSource={rows}
            scroll={{ x: 640 }}
            columns={[
              { title: t('field'), key: 'field', render: (_: unknown, r) => fieldLabel(fields.find((f) => f.key === r.key), r.key, i18n.language) },
              { title: t('before'), key: 'before', render: (_: unknown, r) => cell(r.before, `preview-before-${r.key}`) },
              { title: t('after'), key: 'after', render: (_: unknown, r) => (
                <Space align="start">
                  {cell(r.after, `preview-after-${r.key}`)}
                  {!same(r.before, r.after) && <Tag color="blue">{t('changed')}</Tag>}
                </Space>
              ) },
            ]}
          />
        </>
      )}
    </Modal>
  );
}
