// The back office's frame (Ant Design Pro's side-menu layout): a collapsible
// side menu with an icon per page on the left, a header with the user, the
// language switch and log-out, the page, and a footer naming the time zone.
// Every page stays one click away at any width: from 992 px the menu shows
// its words, below it folds to icons (each with its name as a tooltip).
import { ReactNode, useState } from 'react';
import { Button, Grid, Layout, Menu, Space, Tag, Typography } from 'antd';
import { MenuFoldOutlined, MenuUnfoldOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Me } from '../api';
import { userTimeZone } from '../common/time';

export interface NavItem {
  path: string;
  nav: string; // translation key of the page's name
  icon: ReactNode;
}

interface Props {
  me: Me;
  items: NavItem[];
  current: string;
  onNavigate: (path: string) => void;
  onToggleLang: () => void;
  onLogout: () => void;
  children: ReactNode;
}

export default function AppShell({ me, items, current, onNavigate, onToggleLang, onLogout, children }: Props) {
  const { t } = useTranslation();
  const screens = Grid.useBreakpoint();
  const wide = screens.lg ?? true;
  // null: follow the width; true/false: the user folded or unfolded it.
  const [folded, setFolded] = useState<boolean | null>(null);
  const collapsed = folded ?? !wide;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider
        collapsible
        collapsed={collapsed}
        trigger={null}
        width={208}
        collapsedWidth={64}
        data-testid="sider"
        data-collapsed={collapsed}
        style={{ position: 'sticky', top: 0, height: '100vh', overflow: 'auto' }}
      >
        <div style={{ height: 56, display: 'flex', alignItems: 'center', justifyContent: 'center', paddingInline: 12 }}>
          <Typography.Text strong style={{ color: '#fff', fontSize: collapsed ? 14 : 16, whiteSpace: 'nowrap' }}
                           data-testid="brand">
            {collapsed ? 'pf' : t('title')}
          </Typography.Text>
        </div>
        <Menu
          theme="dark"
          mode="inline"
          data-testid="nav"
          selectedKeys={[current]}
          onClick={(e) => onNavigate(e.key)}
          items={items.map((p) => ({
            key: p.path,
            icon: p.icon,
            label: <span data-testid={`nav-${p.path.slice(1)}`}>{t(p.nav)}</span>,
          }))}
        />
      </Layout.Sider>
      <Layout style={{ minWidth: 0 }}>
        <Layout.Header
          style={{ display: 'flex', alignItems: 'center', gap: 12, paddingInline: 12, background: '#fff',
                   borderBottom: '1px solid #f0f0f0' }}
        >
          <Button
            type="text"
            aria-label={t(collapsed ? 'menuUnfold' : 'menuFold')}
            title={t(collapsed ? 'menuUnfold' : 'menuFold')}
            icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
            onClick={() => setFolded(!collapsed)}
            data-testid="menu-fold"
          />
          <span style={{ flex: 1 }} />
          <Space>
            <Typography.Text style={{ whiteSpace: 'nowrap' }} data-testid="me">
              {wide ? t('signedInAs', { name: me.name, role: t(`role_${me.role}`) }) : me.name}
            </Typography.Text>
            {me.whole_tree === false && me.organisation && (
              <Tag data-testid="me-organisation">{me.organisation.name}</Tag>
            )}
            <Button onClick={onToggleLang} data-testid="lang">{t('language')}</Button>
            <Button onClick={onLogout} data-testid="logout">{t('logout')}</Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: wide ? 24 : 12, minWidth: 0 }}>{children}</Layout.Content>
        <Layout.Footer style={{ textAlign: 'center', padding: 12 }} data-testid="time-zone">
          {t('timeZoneNote', { tz: userTimeZone() })}
        </Layout.Footer>
      </Layout>
    </Layout>
  );
}
