// The releases page (being built).
import { Result } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../api';

export default function Releases({ me }: { me: Me }) {
  const { t } = useTranslation('releases');
  return <Result status="info" title={t('todo')} subTitle={me.name} />;
}
