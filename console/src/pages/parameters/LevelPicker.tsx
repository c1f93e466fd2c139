// Chooses the level whose values the page shows: an organisation of the caller's tree, a group
// (by name) within one, or one terminal by its serial. `onShow` gets the level when the reader
// asks for it, so typing a serial does not load every prefix.
import { Button, Form, Input, Radio, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import type { OrgRow, Where } from './types';

interface Props {
  orgs: OrgRow[];
  own: number | undefined;
  orgName: (id: number) => string;
  onShow: (w: Where) => void;
}

interface Values {
  level: Where['level'];
  organisation?: number;
  group?: string;
  serial?: string;
}

export default function LevelPicker({ orgs, own, orgName, onShow }: Props) {
  const { t } = useTranslation('parameters');
  const [form] = Form.useForm<Values>();
  const level = Form.useWatch('level', form) ?? 'org';
  const top = orgs[0]?.depth ?? 0;

  const show = (v: Values) => {
    if (v.level === 'terminal') onShow({ level: 'terminal', serial: (v.serial ?? '').trim() });
    else onShow({ level: v.level, organisation: v.organisation ?? own,
                  ...(v.level === 'group' ? { group: (v.group ?? '').trim() } : {}) });
  };

  return (
    <Form<Values> form={form} layout="inline" onFinish={show} initialValues={{ level: 'org' }} data-testid="param-where">
      <Space wrap align="start">
        <Form.Item name="level" label={t('level')}>
          <Radio.Group optionType="button" options={(['org', 'group', 'terminal'] as const).map((l) => ({
            value: l, label: <span data-testid={`param-level-${l}`}>{t(`level_${l}`)}</span> }))} />
        </Form.Item>
        {level !== 'terminal' && (
          <Form.Item name="organisation" label={t('organisation')}>
            <Select style={{ width: 220 }} data-testid="param-org" placeholder={own !== undefined ? orgName(own) : ''}
                    options={orgs.map((o) => ({ value: o.id, label: orgName(o.id), depth: Math.max(0, o.depth - top) }))}
                    optionRender={(o) => <span style={{ paddingLeft: 16 * (o.data.depth ?? 0) }}>{o.label}</span>} />
          </Form.Item>
        )}
        {level === 'group' && (
          <Form.Item name="group" label={t('group')} rules={[{ required: true, whitespace: true, message: t('groupRequired') }]}>
            <Input style={{ width: 160 }} maxLength={64} data-testid="param-group" />
          </Form.Item>
        )}
        {level === 'terminal' && (
          <Form.Item name="serial" label={t('serial')} rules={[{ required: true, whitespace: true, message: t('serialRequired') }]}>
            <Input style={{ width: 200 }} maxLength={64} data-testid="param-serial" />
          </Form.Item>
        )}
        <Button htmlType="submit" data-testid="param-show">{t('show')}</Button>
      </Space>
    </Form>
  );
}
