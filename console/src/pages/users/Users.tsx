// The users page (being built).
import { Result } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../api';

export default function Users({ me }: { me: Me }) {
  const { t } = useTranslation('users');
  return <Result status="info" title={t('todo')} subTitle={me.name} />;
}
