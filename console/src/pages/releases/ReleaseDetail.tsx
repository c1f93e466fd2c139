// One release in a drawer: its components (size, mandatory, depends), models,
// notes in both languages, signature status, security flag and deadline —
// and, for roles that may, the deadline change with its reason.
import { useState } from 'react';
import { Alert, Button, Descriptions, Drawer, Form, Input, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { errorText } from '../../common/errors';
import { reasonRules } from '../../common/rules';
import { formatTime, userTimeZone } from '../../common/time';
import { Component, Release } from './types';
import { componentName } from '../../common/components';
import { formatSize } from '../../common/sizes';
import OrganisationPicker from '../organisations/OrganisationPicker';
import { useOrganisations } from '../organisations/organisationList';

interface Props {
  release: Release;
  canRelease: boolean;
  onClose: () => void;
  onChanged: () => void;
}

// "2026-12-24T08:00" in the user's zone → "2026-12-24T00:00:00Z".
export function localToUtc(local: string): string {
  return new Date(local).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// A patch's share of its full file, in whole percent; "<1" below one.
export function percentOf(part: number, whole: number): string {
  if (!whole) return '0';
  const p = (100 * part) / whole;
  return p > 0 && p < 1 ? '<1' : String(Math.round(p));
}

export default function ReleaseDetail({ release: r, canRelease, onClose, onChanged }: Props) {
  const { t, i18n } = useTranslation('releases');
  const { t: tc } = useTranslation();
  const [saved, setSaved] = useState('');
  const [error, setError] = useState('');
  const lang = i18n.language;
  const sig = r.signature;
  const organisations = useOrganisations();
  const [receiversSaved, setReceiversSaved] = useState('');
  const [receiversError, setReceiversError] = useState('');

  const setReceivers = async (v: { organisation: number; reason: string }) => {
    setReceiversSaved('');
    setReceiversError('');
    try {
      await api('PUT', `/releases/${encodeURIComponent(r.version)}/organisation`, { organisation: v.organisation, reason: v.reason.trim() });
      setReceiversSaved(t('receiversSaved'));
      onChanged();
    } catch (e) {
      setReceiversError(errorText(tc, e));
    }
  };

  const setDeadline = async (v: { deadline: string; reason: string }) => {
    setSaved('');
    setError('');
    try {
      await api('PUT', `/releases/${encodeURIComponent(r.version)}/deadline`, { deadline: localToUtc(v.deadline), reason: v.reason.trim() });
      setSaved(t('deadlineSaved'));
      onChanged();
    } catch (e) {
      setError(errorText(tc, e));
    }
  };

  return (
    <Drawer open size="large" title={`${t('version')} ${r.version}`} onClose={onClose} data-testid="release-detail">
      <Typography.Paragraph type="secondary">{t('timeNote', { tz: userTimeZone() })}</Typography.Paragraph>
      <Descriptions column={1} bordered size="small" style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('models')}>{r.models.map((m) => <Tag key={m}>{m}</Tag>)}</Descriptions.Item>
        <Descriptions.Item label={t('created')}>{formatTime(r.created, lang)}</Descriptions.Item>
        <Descriptions.Item label={t('expires')}>{formatTime(r.expires, lang)}</Descriptions.Item>
        <Descriptions.Item label={t('size')}>{formatSize(r.size)}</Descriptions.Item>
        <Descriptions.Item label={t('security')}>
          {r.security ? <Tag color="red" data-testid="release-security">{t('securityTag')}</Tag> : t('no')}
        </Descriptions.Item>
        {r.security && (
          <Descriptions.Item label={t('deadline')}>
            <span data-testid="release-deadline">
              {r.security_deadline ? formatTime(r.security_deadline, lang) : t('noDeadline')}
            </span>
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('receivers')}>
          <span data-testid="release-receivers">
            {(r.organisation ?? 1) === 1 ? t('receiversAll') : t('receiversOf', { name: organisations.nameById(r.organisation) })}
          </span>
        </Descriptions.Item>
        <Descriptions.Item label={t('rollback')}>{r.rollback ? t('yes') : t('no')}</Descriptions.Item>
        <Descriptions.Item label={t('signature')}>
          <Space orientation="vertical" size={4}>
            <span data-testid="release-signature" data-verified={String(sig.verified)}>
              {sig.verified ? (
                <Tag color="green">{t('serverVerified', { threshold: sig.threshold })}</Tag>
              ) : (
                <Tag color="orange">{t('serverNotVerified')}</Tag>
              )}
            </span>
            <span>
              {t('signedBy')}: {sig.key_ids.map((k) => <Tag key={k} data-testid="release-key">{k}</Tag>)}
            </span>
            {sig.trusted_key_ids.length > 0 && (
              <span>
                {t('trustedKeys')}: {sig.trusted_key_ids.map((k) => <Tag key={k} color="green">{k}</Tag>)}
              </span>
            )}
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('notesZh')}>
          <span data-testid="release-notes-zh">{r.notes?.['zh-CN'] ?? ''}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('notesEn')}>
          <span data-testid="release-notes-en">{r.notes?.en ?? ''}</span>
        </Descriptions.Item>
      </Descriptions>
      <Table<Component>
        rowKey="name"
        size="small"
        pagination={false}
        title={() => t('components')}
        dataSource={r.components}
        scroll={{ x: true }}
        data-testid="release-components"
        columns={[
          { title: t('name'), dataIndex: 'name', render: (v: string) => <span title={v}>{componentName(tc, v)}</span> },
          { title: t('version'), dataIndex: 'version' },
          { title: t('size'), dataIndex: 'size', render: (v: number) => formatSize(v) },
          { title: t('mandatory'), dataIndex: 'mandatory', render: (v?: boolean) => (v ? t('yes') : t('no')) },
          { title: t('depends'), dataIndex: 'depends', render: (v?: string[]) => (v ?? []).map((d) => componentName(tc, d)).join(i18n.language === 'en' ? ', ' : '、') },
          {
            title: t('deltas'),
            dataIndex: 'deltas',
            render: (v: Component['deltas'], c: Component) =>
              (v && v.length > 0) || c.zchunk ? (
                <span data-testid={`deltas-${c.name}`}>
                  {(v ?? []).map((d) => (
                    <div key={d.filename} title={d.filename}>
                      {t('deltaFrom', { version: d.from_version, size: formatSize(d.size),
                                        percent: percentOf(d.size, c.size) })}
                    </div>
                  ))}
                  {c.zchunk && (
                    <div title={c.zchunk.filename} data-testid={`zchunk-${c.name}`}>
                      {t('zchunkFile', { size: formatSize(c.zchunk.size) })}
                    </div>
                  )}
                </span>
              ) : (
                t('noDeltas')
              ),
          },
          { title: 'SHA-256', dataIndex: 'sha256', render: (v: string) => <code title={v}>{v.slice(0, 12)}…</code> },
        ]}
      />
      {canRelease && r.security && (
        <Form layout="vertical" onFinish={setDeadline} style={{ marginTop: 24 }} data-testid="deadline-form">
          <Typography.Title level={5}>{t('setDeadline')}</Typography.Title>
          <Form.Item name="deadline" label={t('deadlineNew')} rules={[{ required: true, message: t('deadlineRequired') }]}>
            <Input type="datetime-local" style={{ width: 240 }} data-testid="deadline-input" />
          </Form.Item>
          <Form.Item name="reason" label={t('reason')} rules={reasonRules(tc)}>
            <Input data-testid="deadline-reason" />
          </Form.Item>
          <Button type="primary" htmlType="submit" data-testid="deadline-save">{t('save')}</Button>
          {saved && <Alert type="success" title={saved} style={{ marginTop: 12 }} data-testid="deadline-saved" />}
          {error && <Alert type="error" title={error} style={{ marginTop: 12 }} data-testid="deadline-error" />}
        </Form>
      )}
      {canRelease && !r.security && (
        <Alert type="info" title={t('deadlineOnlySecurity')} style={{ marginTop: 16 }} />
      )}
      {canRelease && (
        <Form layout="vertical" onFinish={setReceivers} style={{ marginTop: 24 }} data-testid="receivers-form"
              initialValues={{ organisation: r.organisation ?? 1 }}>
          <Typography.Title level={5}>{t('setReceivers')}</Typography.Title>
          <Typography.Paragraph type="secondary">{t('receiversNote')}</Typography.Paragraph>
          <Form.Item name="organisation" label={t('receiversNew')} rules={[{ required: true, message: t('receiversRequired') }]}>
            <OrganisationPicker orgs={organisations.orgs} testid="receivers-picker" />
          </Form.Item>
          <Form.Item name="reason" label={t('reason')} rules={reasonRules(tc)}>
            <Input data-testid="receivers-reason" />
          </Form.Item>
          <Button type="primary" htmlType="submit" data-testid="receivers-save">{t('save')}</Button>
          {receiversSaved && <Alert type="success" title={receiversSaved} style={{ marginTop: 12 }} data-testid="receivers-saved" />}
          {receiversError && <Alert type="error" title={receiversError} style={{ marginTop: 12 }} data-testid="receivers-error" />}
        </Form>
      )}
    </Drawer>
  );
}
