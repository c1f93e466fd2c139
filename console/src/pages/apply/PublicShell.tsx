// The frame of the public pages (no log-in): the product's name, the page's
// title, the language switch and a link to the other public page. Narrow
// enough for a phone (375 px), centred on a desktop.
import type { ReactNode } from 'react';
import { Button, Card, Grid, Layout, Typography } from 'antd';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { setLang } from '../../i18n';
import { useDocumentTitle } from '../../common/PageTitle';

interface Props {
  title: string;
  other: { to: string; label: string; testid: string };
  children: ReactNode;
}

export default function PublicShell({ title, other, children }: Props) {
  const { t, i18n } = useTranslation();
  const { t: ta } = useTranslation('apply');
  const phone = !(Grid.useBreakpoint().sm ?? true);
  useDocumentTitle(title, ta('brand'));
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 12, paddingInline: phone ? 12 : 24 }}>
        <Typography.Text strong style={{ color: '#fff', fontSize: phone ? 15 : 18, flex: 1, whiteSpace: 'nowrap' }}>
          {ta('brand')}
        </Typography.Text>
        <Button onClick={() => setLang(i18n.language === 'en' ? 'zh-CN' : 'en')} data-testid="lang">
          {t('language')}
        </Button>
      </Layout.Header>
      <Layout.Content style={{ padding: phone ? 8 : 24 }}>
        <Card
          title={
            <Typography.Title level={1} style={{ fontSize: 18, margin: 0 }} data-testid="public-title">
              {title}
            </Typography.Title>
          }
          style={{ maxWidth: 760, margin: '0 auto' }}
          styles={{ body: { padding: phone ? 12 : 24 } }}
        >
          {children}
          <div style={{ marginTop: 24, textAlign: 'center' }}>
            <Link to={other.to} data-testid={other.testid}>
              {other.label}
            </Link>
          </div>
        </Card>
      </Layout.Content>
    </Layout>
  );
}
