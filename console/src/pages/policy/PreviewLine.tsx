// How many terminals a change reaches, as the server counted them.
import { Alert, Spin } from 'antd';
import { useTranslation } from 'react-i18next';

export interface Preview {
  in_scope: number;
  changing: number;
  locked: number;
}

interface Props {
  show: boolean;
  data: Preview | null;
  loading: boolean;
  error: string;
}

export default function PreviewLine({ show, data, loading, error }: Props) {
  const { t } = useTranslation('policy');
  if (!show) return null;
  if (error) return <Alert type="error" title={error} style={{ marginBottom: 12 }} data-testid="preview-error" />;
  if (loading || !data)
    return (
      <Alert type="info" style={{ marginBottom: 12 }} title={<Spin size="small" />} description={t('previewing')} />
    );
  return (
    <Alert
      type={data.changing ? 'warning' : 'info'}
      style={{ marginBottom: 12 }}
      data-testid="preview"
      data-in-scope={data.in_scope}
      data-changing={data.changing}
      title={t('preview', { in_scope: data.in_scope, changing: data.changing })}
      description={data.locked ? t('previewLocked', { locked: data.locked }) : undefined}
    />
  );
}
