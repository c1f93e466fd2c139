// /apply: the public application form, then the application number, big,
// and how to follow it.
import { useState } from 'react';
import { Button, Result, Space, Typography } from 'antd';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import States from '../../common/States';
import { useApi } from '../../common/useApi';
import ApplyForm, { Submitted } from './ApplyForm';
import type { CatalogueModel } from './ModelPicker';
import PublicShell from './PublicShell';

export default function ApplyPage() {
  const { t: ta } = useTranslation('apply');
  const catalogue = useApi<{ models: CatalogueModel[] }>('/public/catalogue');
  const [done, setDone] = useState<Submitted | null>(null);

  return (
    <PublicShell title={ta('applyTitle')} other={{ to: '/apply/status', label: ta('toStatus'), testid: 'to-status' }}>
      {done ? (
        <Result
          status="success"
          title={ta('submittedTitle')}
          data-testid="apply-done"
          subTitle={
            <Space direction="vertical" size={4}>
              <span>{ta('numberLabel')}</span>
              <Typography.Title
                level={1}
                copyable={{ text: done.number }}
                style={{ margin: 0, letterSpacing: 2, whiteSpace: 'nowrap', fontSize: 'clamp(26px, 8vw, 40px)' }}
                                data-testid="apply-number">
                {done.number}
              </Typography.Title>
              <span>{ta('submittedHelp')}</span>
            </Space>
          }
          extra={[
            <Link key="status" to={`/apply/status?number=${encodeURIComponent(done.number)}`}>
              <Button type="primary" data-testid="apply-check-status">{ta('checkStatus')}</Button>
            </Link>,
            <Button key="again" onClick={() => setDone(null)} data-testid="apply-again">{ta('applyAgain')}</Button>,
          ]}
        />
      ) : (
        <>
          <Typography.Paragraph type="secondary">{ta('intro')}</Typography.Paragraph>
          <States loading={catalogue.loading} error={catalogue.error} onRetry={catalogue.reload}>
            {catalogue.data && <ApplyForm models={catalogue.data.models} onSubmitted={setDone} />}
          </States>
        </>
      )}
    </PublicShell>
  );
}
