// The three states every page shows the same way: loading, an error with a
// way to try again, and empty with a sentence saying what would fill it.
import type { ReactNode } from 'react';
import { Alert, Button, Empty, Spin } from 'antd';
import { useTranslation } from 'react-i18next';

interface Props {
  loading: boolean;
  error: string;
  empty?: boolean;
  emptyText?: string;
  onRetry?: () => void;
  children: ReactNode;
}

export default function States({ loading, error, empty, emptyText, onRetry, children }: Props) {
  const { t } = useTranslation();
  if (error)
    return (
      <Alert
        type="error"
        showIcon
        data-testid="load-error"
        title={t('loadFailed', { message: error })}
        action={onRetry && <Button onClick={onRetry}>{t('retry')}</Button>}
      />
    );
  if (loading && !children) return <Spin data-testid="loading" />;
  if (empty && !loading) return <Empty data-testid="empty" description={emptyText ?? t('nothingYet')} />;
  return <>{children}</>;
}
