// A terminal's update policy: what applies now (with its lock), its revision
// history (who, through which path, why), and — for roles that may — a change
// of mode, which always asks for a reason. Shown in the list's drawer and on
// the terminal's page.
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Descriptions, Form, Input, Radio, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import PolicyHistory, { PolicyChange } from '../../common/PolicyHistory';
import { api, Me } from '../../api';
import { can } from '../../access';
import { errorText } from '../../common/errors';
import { reasonRules } from '../../common/rules';

interface PolicyView {
  effective: {
    mode: string;
    locked: boolean;
    lock_reason: string;
    revision: number;
    window: { start: string; end: string; tz: string };
  };
  history: PolicyChange[];
}

export default function PolicyPanel({ serial, me, onChanged }: { serial: string; me: Me; onChanged?: () => void }) {
  const { t } = useTranslation();
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
      <PolicyHistory changes={view?.history ?? []} loading={view === null && !error} />
    </>
  );
}
