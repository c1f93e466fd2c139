// The terminal filter's fields (server/api/terminal_filter.h: q, model,
// version, group, mode, state, online, merchant) for a form, so bulk policy
// edits and deployments by filter pick terminals the same way as the list.
import { Form, Input, InputNumber, Select } from 'antd';
import { useTranslation } from 'react-i18next';

export interface FilterValues {
  q?: string;
  model?: string;
  version?: string;
  group?: string;
  mode?: string;
  state?: string;
  online?: string;
  merchant?: number | null;
}

export type Filter = Record<string, string | number>;

// The filter the API takes: only the fields that are set.
export function filterOf(v: FilterValues | undefined): Filter {
  const out: Filter = {};
  for (const [k, val] of Object.entries(v ?? {}))
    if (val !== undefined && val !== null && String(val).trim() !== '') out[k] = typeof val === 'string' ? val.trim() : val;
  return out;
}

// Fields named ['filter', key] inside the enclosing Form.
export default function TerminalFilterFields({ testPrefix = 'filter' }: { testPrefix?: string }) {
  const { t } = useTranslation('policy');
  const any = { value: '', label: t('any') };
  const text = (key: string, label: string) => (
    <Form.Item name={['filter', key]} label={label} rules={[{ max: 64 }]} style={{ minWidth: 160 }}>
      <Input allowClear data-testid={`${testPrefix}-${key}`} />
    </Form.Item>
  );
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', columnGap: 12 }}>
      {text('q', t('filterQ'))}
      {text('model', t('filterModel'))}
      {text('version', t('filterVersion'))}
      {text('group', t('filterGroup'))}
      <Form.Item name={['filter', 'mode']} label={t('filterMode')} style={{ minWidth: 120 }}>
        <Select data-testid={`${testPrefix}-mode`}
                options={[any, ...['auto', 'manual', 'never'].map((m) => ({ value: m, label: t(`mode_${m}`) }))]} />
      </Form.Item>
      <Form.Item name={['filter', 'state']} label={t('filterState')} style={{ minWidth: 120 }}>
        <Select data-testid={`${testPrefix}-state`}
                options={[any, ...['idle', 'scheduled', 'running', 'success', 'failed', 'canceled'].map((s) => ({ value: s, label: t(`state_${s}`) }))]} />
      </Form.Item>
      <Form.Item name={['filter', 'online']} label={t('filterOnline')} style={{ minWidth: 100 }}>
        <Select data-testid={`${testPrefix}-online`}
                options={[any, { value: 'true', label: t('online_true') }, { value: 'false', label: t('online_false') }]} />
      </Form.Item>
      <Form.Item name={['filter', 'merchant']} label={t('filterMerchant')}>
        <InputNumber min={1} precision={0} data-testid={`${testPrefix}-merchant`} />
      </Form.Item>
    </div>
  );
}
