// One organisation of the caller's subtree, chosen from the list in tree order: each indented by
// its depth below the caller's own and with its kind beside it, so two merchants of one name
// under different resellers are told apart by where they stand (the acquirer's own is named by
// its kind alone). `disabled` greys out those that
// may not be chosen (e.g. where a terminal already is), `note` says why beside the name.
import { Select, Space, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Organisation, useOrganisationName } from './organisationList';

interface Props {
  orgs: Organisation[];
  value?: number;
  onChange?: (id: number) => void;
  disabled?: (o: Organisation) => boolean;
  note?: (o: Organisation) => string;
  placeholder?: string;
  testid: string;
}

const KIND_COLORS: Record<string, string> = { acquirer: 'gold', reseller: 'blue', merchant: 'green' };

export default function OrganisationPicker({ orgs, value, onChange, disabled, note, placeholder, testid }: Props) {
  const { t } = useTranslation('organisations');
  const name = useOrganisationName();
  const top = orgs[0]?.depth ?? 0;
  return (
    <Select<number>
      value={value}
      onChange={onChange}
      placeholder={placeholder}
      data-testid={testid}
      showSearch={{ optionFilterProp: 'label' }}
      style={{ width: '100%' }}
      options={orgs.map((o) => ({ value: o.id, label: name(o), disabled: disabled?.(o) ?? false, org: o }))}
      optionRender={(option) => {
        const o = (option.data as { org: Organisation }).org;
        return (
          <Space size={4} style={{ paddingLeft: 16 * Math.max(0, o.depth - top) }} data-testid={`${testid}-${o.id}`}>
            <span>{name(o)}</span>
            {o.name && (
              <Tag color={KIND_COLORS[o.kind]} style={{ marginInlineEnd: 0 }}>{t(`kind_${o.kind}`, { defaultValue: o.kind })}</Tag>
            )}
            {note?.(o)}
          </Space>
        );
      }}
    />
  );
}
