// One terminal (being built).
import { Result } from 'antd';
import { useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../api';

export default function TerminalDetail({ me }: { me: Me }) {
  const { t } = useTranslation('terminals');
  const { serial } = useParams();
  return <Result status="info" title={t('todo')} subTitle={`${serial} ${me.name}`} />;
}
