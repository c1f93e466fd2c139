// One level's values of one app: every field of the template with its type and rules, what
// this level holds (set, inherited, locked; a sensitive value only as set), and for those who
// may change parameters a control per field, an optional reason, and the preview-then-save
// dialog. Drafts live here until saved; the page gives each level a fresh editor.
import { useState } from 'react';
import { Alert, Button, Input, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../api';
import { can } from '../../access';
import States from '../../common/States';
import { REASON_MAX } from '../../common/rules';
import { formatTime } from '../../common/time';
import { useApi } from '../../common/useApi';
import FieldEditor, { changes as changesAnything, Draft } from './FieldEditor';
import PreviewModal from './PreviewModal';
import type { Change, Field, LevelValues, Template, Where } from './types';
import { fieldLabel, rulesText, valueProblem, valueText } from './words';

interface Props {
  me: Me;
  tpl: Template;
  where: Where;
  own: number | undefined;
  orgName: (id: number) => string;
}

export function whereQuery(w: Where): string {
  const q = new URLSearchParams({ level: w.level });
  if (w.level === 'terminal') q.set('serial', w.serial ?? '');
  else if (w.organisation !== undefined) q.set('organisation', String(w.organisation));
  if (w.level === 'group') q.set('group', w.group ?? '');
  return q.toString();
}

// The changes the drafts make, in the template's order.
function changeList(fields: Field[], drafts: Record<string, Draft>): Change[] {
  return fields.flatMap((f) => {
    const d = drafts[f.key];
    if (!changesAnything(d)) return [];
    const c: Change = { key: f.key };
    if (d.unset) c.unset = true;
    else if (d.value !== undefined && d.value !== '') c.value = d.value;
    if (d.locked !== undefined) c.locked = d.locked;
    return [c];
  });
}

export default function ValuesEditor({ me, tpl, where, own, orgName }: Props) {
  const { t, i18n } = useTranslation('parameters');
  const level = useApi<LevelValues>(`/parameters/values/${encodeURIComponent(tpl.app)}?${whereQuery(where)}`);
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [reason, setReason] = useState('');
  const [previewing, setPreviewing] = useState(false);
  const [notice, setNotice] = useState('');
  const at = level.data?.where ?? where;
  const editable = can(me.role, 'policy');
  // A reseller's or merchant's own organisation is locked by the organisation above it.
  const lockable = can(me.role, 'lock') && !(me.whole_tree === false && at.level === 'org' && at.organisation === own);
  const list = changeList(tpl.fields, drafts);
  const wrong = tpl.fields.some((f) => {
    const d = drafts[f.key];
    return !!d && !d.unset && d.value !== undefined && d.value !== '' && !!valueProblem(t, f, d.value);
  });
  const body = {
    level: at.level,
    ...(at.level === 'terminal' ? { serial: at.serial } : { organisation: at.organisation }),
    ...(at.level === 'group' ? { group: at.group } : {}),
    changes: list,
    ...(reason.trim() ? { reason: reason.trim() } : {}),
  };
  const org = at.organisation ?? own;
  const title =
    at.level === 'terminal' ? t('valuesOf_terminal', { serial: at.serial })
      : t(`valuesOf_${at.level}`, { name: org !== undefined ? orgName(org) : '', group: at.group });
  const draft = (key: string, d: Draft | undefined) => {
    setNotice('');
    setDrafts(({ [key]: _, ...rest }) => (d ? { ...rest, [key]: d } : rest));
  };

  return (
    <States loading={level.loading && !level.data} error={level.data ? '' : level.error} onRetry={level.reload}>
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }} data-testid="param-level-title">{title}</Typography.Title>
        {notice && <Alert type="success" showIcon title={notice} data-testid="param-notice" />}
        <Table<Field>
          rowKey="key"
          size="small"
          data-testid="param-values"
          dataSource={tpl.fields}
          pagination={false}
          loading={level.loading}
          scroll={{ x: 900 }}
          columns={[
            { title: t('field'), key: 'field', width: 200, render: (_: unknown, f) => (
              <Space orientation="vertical" size={0}>
                <Typography.Text strong data-testid={`param-label-${f.key}`}>{fieldLabel(f, f.key, i18n.language)}</Typography.Text>
                <Typography.Text type="secondary" code>{f.key}</Typography.Text>
              </Space>
            ) },
            { title: t('rules'), key: 'rules', width: 240, render: (_: unknown, f) => (
              <Space orientation="vertical" size={0}>
                <span>{t(`type_${f.type}`, { defaultValue: f.type })}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>{rulesText(t, f)}</Typography.Text>
              </Space>
            ) },
            { title: t('current'), key: 'current', width: 200, render: (_: unknown, f) => {
              const v = level.data?.values.find((x) => x.key === f.key);
              return (
                <Space orientation="vertical" size={0}>
                  <span data-testid={`param-current-${f.key}`}>
                    {v?.set ? valueText(t, v) : t('notSetHere')}
                    {v?.locked && <Tag color="red" title={t('lockedHint')} style={{ marginLeft: 8 }} data-testid={`param-locked-${f.key}`}>{t('locked')}</Tag>}
                  </span>
                  {v?.updated_by && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('updatedBy', { who: v.updated_by, time: formatTime(v.updated, i18n.language) })}
                    </Typography.Text>
                  )}
                </Space>
              );
            } },
            ...(editable ? [{ title: t('edit'), key: 'edit', render: (_: unknown, f: Field) => (
              <FieldEditor field={f} current={level.data?.values.find((x) => x.key === f.key)} draft={drafts[f.key]}
                           onChange={(d) => draft(f.key, d)} canLock={lockable} />
            ) }] : []),
          ]}
        />
        {editable ? (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Input.TextArea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={REASON_MAX}
                            placeholder={t('reason')} aria-label={t('reason')} data-testid="param-reason" style={{ maxWidth: 640 }} />
            <Space wrap>
              <Button type="primary" disabled={!list.length || wrong} onClick={() => setPreviewing(true)} data-testid="param-preview">
                {t('previewSave')}
              </Button>
              <Button disabled={!Object.keys(drafts).length} onClick={() => setDrafts({})} data-testid="param-discard">{t('discard')}</Button>
              {list.length > 0 && <Typography.Text type="secondary" data-testid="param-count">{t('changeCount', { count: list.length })}</Typography.Text>}
            </Space>
          </Space>
        ) : (
          <Alert type="info" title={t('readOnly')} data-testid="param-read-only" />
        )}
        {previewing && (
          <PreviewModal app={tpl.app} fields={tpl.fields} body={body} serial={at.level === 'terminal' ? at.serial : ''}
                        orgName={orgName} onClose={() => setPreviewing(false)}
                        onSaved={() => {
                          setPreviewing(false);
                          setDrafts({});
                          setReason('');
                          setNotice(t('saved'));
                          level.reload();
                        }} />
        )}
      </Space>
    </States>
  );
}
