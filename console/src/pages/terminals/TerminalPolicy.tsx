// A terminal's update policy in a drawer over the terminal list.
import { Drawer } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../api';
import PolicyPanel from './PolicyPanel';

export default function TerminalPolicy({ serial, me, onClose }: { serial: string; me: Me; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Drawer open title={`${t('policyOf')} ${serial}`} size="large" onClose={onClose}>
      <PolicyPanel serial={serial} me={me} />
    </Drawer>
  );
}
