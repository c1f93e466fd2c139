// Every page's title: one h1 on the page and the browser tab's title
// ("终端 · posfleet 后台管理"), so a user with several tabs or a screen reader
// knows where they are. `extra` sits at the title's right (e.g. an upload button).
import { ReactNode, useEffect } from 'react';
import { Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

interface Props {
  title: string;
  extra?: ReactNode;
  testId?: string;
}

// `site`: what follows the title in the tab; the back office's name unless given.
export function useDocumentTitle(title: string, site?: string) {
  const { t } = useTranslation();
  const app = site ?? t('title');
  useEffect(() => {
    document.title = title ? `${title} · ${app}` : app;
  }, [title, app]);
}

export default function PageTitle({ title, extra, testId = 'page-title' }: Props) {
  useDocumentTitle(title);
  const h1 = (
    <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }} data-testid={testId}>
      {title}
    </Typography.Title>
  );
  return (
    <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
      {h1}
      {extra}
    </Space>
  );
}
