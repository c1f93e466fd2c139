// The policy page (being built).
import { Result } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../api';

export default function PolicyPage({ me }: { me: Me }) {
  const { t } = useTranslation('policy');
  return <Result status="info" title={t('todo')} subTitle={me.name} />;
}
