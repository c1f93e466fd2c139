// The overview page (being built).
import { Result } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../api';

export default function Overview({ me }: { me: Me }) {
  const { t } = useTranslation('overview');
  return <Result status="info" title={t('todo')} subTitle={me.name} />;
}
