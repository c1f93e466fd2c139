// The editing cell of one field: a control for its type (text with its length and pattern, a
// whole number within its range, one of its choices, on or off; a sensitive field a password
// box that is never filled in), inherit (remove this level's value) and, for administrators,
// the lock. The change is kept as a draft until the page previews and saves it.
import { Button, Checkbox, Input, InputNumber, Select, Space, Switch, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Field, LevelValue, Plain } from './types';
import { valueProblem } from './words';

// '' as a value: the box was emptied, which changes nothing (inherit removes a value).
export interface Draft {
  value?: Plain;
  unset?: boolean;
  locked?: boolean;
}

interface Props {
  field: Field;
  current: LevelValue | undefined;
  draft: Draft | undefined;
  onChange: (d: Draft | undefined) => void;
  canLock: boolean;
}

// Whether a draft changes anything.
export function changes(d: Draft | undefined): boolean {
  return !!d && (!!d.unset || (d.value !== undefined && d.value !== '') || d.locked !== undefined);
}

export default function FieldEditor({ field: f, current, draft, onChange, canLock }: Props) {
  const { t } = useTranslation('parameters');
  const d = draft ?? {};
  const id = (what: string) => `param-${what}-${f.key}`;
  const update = (next: Draft) => {
    const kept = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)) as Draft;
    onChange(Object.keys(kept).length ? kept : undefined);
  };
  // A value equal to this level's own is no change.
  const setValue = (v: Plain) =>
    update({ ...d, unset: undefined, value: !f.sensitive && current?.set && current.value === v ? undefined : v });
  const shown: Plain | undefined = d.value !== undefined ? d.value : !f.sensitive && current?.set ? current.value ?? undefined : undefined;
  const problem = !d.unset && d.value !== undefined && d.value !== '' ? valueProblem(t, f, d.value) : '';
  const off = !!d.unset;

  let control;
  if (f.sensitive)
    control = (
      <Input.Password value={typeof d.value === 'string' ? d.value : ''} disabled={off} visibilityToggle={false}
                      autoComplete="new-password" maxLength={f.max_length} style={{ width: 240 }} data-testid={id('input')}
                      status={problem ? 'error' : undefined} placeholder={current?.set ? t('secretSet') : t('secretUnset')}
                      onChange={(e) => setValue(e.target.value)} />
    );
  else if (f.type === 'integer')
    control = (
      <InputNumber value={shown === undefined || shown === '' ? null : Number(shown)} disabled={off} precision={0}
                   min={f.min} max={f.max} style={{ width: 160 }} data-testid={id('input')} status={problem ? 'error' : undefined}
                   onChange={(n) => setValue(n === null ? '' : Number(n))} />
    );
  else if (f.type === 'enum')
    control = (
      <Select value={shown === undefined || shown === '' ? undefined : String(shown)} disabled={off} style={{ width: 180 }}
              placeholder={t('choose')} data-testid={id('input')} onChange={(v: string) => setValue(v)}
              options={(f.values ?? []).map((v) => ({ value: v, label: v }))} />
    );
  else if (f.type === 'boolean')
    control = (
      <Switch checked={shown === true || shown === 'true'} disabled={off} data-testid={id('input')}
              checkedChildren={t('yes')} unCheckedChildren={t('no')} onChange={(c) => setValue(c)} />
    );
  else
    control = (
      <Input value={shown === undefined ? '' : String(shown)} disabled={off} maxLength={f.max_length} style={{ width: 220 }}
             data-testid={id('input')} status={problem ? 'error' : undefined} onChange={(e) => setValue(e.target.value)} />
    );

  return (
    <Space orientation="vertical" size={4}>
      <Space wrap size={8}>
        {control}
        {(current?.set || off) && (
          <Button size="small" type={off ? 'primary' : 'default'} data-testid={id('inherit')}
                  onClick={() => update(off ? { ...d, unset: undefined } : { ...d, value: undefined, unset: true })}>
            {t('inherit')}
          </Button>
        )}
        {canLock && (
          <Checkbox checked={d.locked ?? current?.locked ?? false} data-testid={id('lock')}
                    onChange={(e) => update({ ...d, locked: e.target.checked === (current?.locked ?? false) ? undefined : e.target.checked })}>
            {t('lock')}
          </Checkbox>
        )}
        {changes(d) && <Tag color="gold" data-testid={id('pending')}>{off ? t('willInherit') : t('pending')}</Tag>}
        {draft && (
          <Button size="small" type="link" onClick={() => onChange(undefined)} data-testid={id('undo')}>{t('undo')}</Button>
        )}
      </Space>
      {problem && <Typography.Text type="danger" data-testid={id('problem')}>{problem}</Typography.Text>}
    </Space>
  );
}
