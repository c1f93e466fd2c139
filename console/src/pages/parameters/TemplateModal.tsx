// An administrator of the acquirer adds an app's template, or replaces it, by pasting its JSON
// ({"app", "name", "fields": [...]}, as `posfleet param template add` reads it). The server
// checks every field and names what is wrong.
import { useState } from 'react';
import { Alert, Checkbox, Input, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { errorText } from '../../common/errors';
import type { Template } from './types';

const EXAMPLE = JSON.stringify({ app: 'payment', name: '支付应用', fields: [
  { key: 'merchant_no', type: 'string', label: { 'zh-CN': '商户号', en: 'Merchant number' }, pattern: '[0-9]{15}' },
  { key: 'timeout', type: 'integer', label: { 'zh-CN': '超时（秒）', en: 'Timeout (s)' }, min: 10, max: 120, default: 60 },
] }, null, 1);

export default function TemplateModal({ onSaved, onClose }: { onSaved: (t: Template) => void; onClose: () => void }) {
  const { t } = useTranslation('parameters');
  const { t: tc } = useTranslation();
  const [text, setText] = useState('');
  const [replace, setReplace] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const save = async () => {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      v = null;
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) return setError(t('jsonInvalid'));
    const { app, ...rest } = v as { app?: unknown };
    setBusy(true);
    setError('');
    try {
      const made = replace
        ? await api<Template>('PUT', `/parameters/templates/${encodeURIComponent(String(app ?? ''))}`, rest)
        : await api<Template>('POST', '/parameters/templates', v);
      onSaved(made);
    } catch (e) {
      setError(errorText(tc, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open title={t('addTemplate')} okText={t('save')} cancelText={t('cancel')} onOk={save} onCancel={onClose}
           confirmLoading={busy} width={720} destroyOnHidden
           okButtonProps={{ disabled: !text.trim(), ...({ 'data-testid': 'template-save' } as Record<`data-${string}`, string>) }}>
      <Typography.Paragraph type="secondary">{t('templateJson')}</Typography.Paragraph>
      <Typography.Paragraph><pre style={{ fontSize: 12, maxHeight: 160, overflow: 'auto' }}>{EXAMPLE}</pre></Typography.Paragraph>
      <Input.TextArea rows={10} value={text} onChange={(e) => setText(e.target.value)} data-testid="template-json"
                      style={{ fontFamily: 'monospace' }} aria-label={t('templateJson')} />
      <Checkbox checked={replace} onChange={(e) => setReplace(e.target.checked)} style={{ marginTop: 8 }} data-testid="template-replace">
        {t('replaceTemplate')}
      </Checkbox>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 12 }} data-testid="template-error" />}
    </Modal>
  );
}
