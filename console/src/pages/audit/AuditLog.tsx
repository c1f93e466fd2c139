// The audit page (being built).
import { Result } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../api';

export default function AuditLog({ me }: { me: Me }) {
  const { t } = useTranslation('audit');
  return <Result status="info" title={t('todo')} subTitle={me.name} />;
}
