// A terminal's update policy: what applies now (with its lock), its revision
// history (who, through which path, why), and — for roles that may — a change
// of mode, which always asks for a reason. Shown in the list's drawer and on
// the terminal's page.
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Descriptions, Form, Input, Radio, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, Me } from '../../api';
import { can } from '../../access';
import { errorText } from '../../common/errors';
import { reasonRules } from '../../common/rules';
import { formatTime } from '../../common/time';

interface Change {
  revision: number;
  time: string;
  actor: string;
  path: string;
  reason: string;
  outcome: string;
  after: Record<string, unknown>;
}

interface PolicyView {
  effective: {
    mode: string;
    locked: boolean;
    lock_reason: string;
    revision: number;
    window: { start: string; end: string; tz: string };
  };
  history: Change[];
}

export default function PolicyPanel({ serial, me, onChanged }: { serial: string; me: Me; onChanged?: () => void }) {
  const { t, i18n } = useTranslation();
  const [view, setView] = useState<PolicyView | null>(null);
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');

  const load = useCallback(() => {
    api<PolicyView>('GET', `/policy?terminal=${encodeURIComponent(serial)}`)
      .then(setView)
      .catch((e) => setError(errorText(t, e)));
  }, [serial, t]);
  useEffect(load, [load]);

  const save = async (values: { mode: string; reason: string }) => {
    setError('');
    setSaved('');
    try {
      await api('PUT', '/policy', { terminal: serial, mode: values.mode, reason: values.reason.trim() });
      setSaved(t('policySaved'));
      load();
      onChanged?.();
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  const modeName = (m: string) => t(`mode_${m}`);
  const eff = view?.effective;
  return (
    <>
      {error && <Alert type="error" title={error} style={{ marginBottom: 16 }} data-testid="policy-error" />}
      {saved && <Alert type="success" title={saved} style={{ marginBottom: 16 }} data-testid="policy-saved" />}
      {eff && (
        <Descriptions column={1} bordered size="small" style={{ marginBottom: 24 }}>
          <Descriptions.Item label={t('mode')}>
            <span data-testid="policy-mode">{modeName(eff.mode)}</span>
            {eff.locked && <Tag color="red" style={{ marginLeft: 8 }}>{t('locked', { reason: eff.lock_reason })}</Tag>}
          </Descriptions.Item>
          <Descriptions.Item label={t('window')}>
            {eff.window.start === eff.window.end ? t('allDay') : `${eff.window.start}–${eff.window.end}`} ({eff.window.tz})
          </Descriptions.Item>
          <Descriptions.Item label={t('revision')}>{eff.revision}</Descriptions.Item>
        </Descriptions>
      )}
      {eff && can(me.role, 'policy') && (
        <Form layout="vertical" onFinish={save} initialValues={{ mode: eff.mode }} style={{ marginBottom: 24 }}>
          <Form.Item name="mode" label={t('changeMode')}>
            <Radio.Group disabled={eff.locked && !can(me.role, 'lock')} optionType="button"
                         options={['auto', 'manual', 'never'].map((m) => ({ value: m, label: modeName(m) }))} />
          </Form.Item>
          <Form.Item name="reason" label={t('reason')} rules={reasonRules(t)}>
            <Input data-testid="policy-reason" />
          </Form.Item>
          <Button type="primary" htmlType="submit" data-testid="policy-save">{t('save')}</Button>
        </Form>
      )}
      <Table<Change>
        rowKey="revision"
        size="small"
        loading={view === null && !error}
        dataSource={view?.history ?? []}
        title={() => t('history')}
        pagination={{ pageSize: 10 }}
        scroll={{ x: 640 }}
        data-testid="policy-history"
        columns={[
          { title: t('revision'), dataIndex: 'revision' },
          { title: t('time'), dataIndex: 'time', render: (v: string) => formatTime(v, i18n.language) },
          { title: t('who'), dataIndex: 'actor' },
          { title: t('path'), dataIndex: 'path', render: (v: string) => t(`path_${v}`, { defaultValue: v }) },
          { title: t('outcome'), dataIndex: 'outcome', render: (v: string) => t(`outcome_${v}`, { defaultValue: v }) },
          { title: t('reason'), dataIndex: 'reason' },
        ]}
      />
    </>
  );
}
