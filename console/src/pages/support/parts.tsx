// What the support desk's views share: the shapes the server sends and the
// way a policy is shown (mode, and a lock if there is one).
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

export interface PolicySnapshot {
  mode: string;
  locked?: boolean;
  lock_reason?: string;
}

export interface Ticket {
  id: number;
  terminal: string;
  version: string;
  policy: PolicySnapshot | null;
  message: string;
  status: string;
  note: string;
  created: string;
  updated: string;
}

export interface Merchant {
  id: number;
  legal_name: string;
  phone: string; // masked by the server
  resident_id: string; // masked by the server
  terminals: { serial: string; model: string; version: string; group: string }[];
}

const MODE_COLOR: Record<string, string> = { auto: 'green', manual: 'blue', never: 'red' };

export function PolicyTags({ policy }: { policy: PolicySnapshot | null | undefined }) {
  const { t } = useTranslation('support');
  if (!policy) return null;
  return (
    <>
      <Tag color={MODE_COLOR[policy.mode]}>{t(`mode_${policy.mode}`, { defaultValue: policy.mode })}</Tag>
      {policy.locked && <Tag color="volcano">{`${t('locked')}${policy.lock_reason ? `：${policy.lock_reason}` : ''}`}</Tag>}
    </>
  );
}
