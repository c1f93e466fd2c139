// Who is logged in decides what shows: the log-in form, or the back office.
import { useEffect, useState } from 'react';
import { Button, Layout, Space, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, Me, setCsrf } from './api';
import { setLang } from './i18n';
import Login from './Login';
import Terminals from './Terminals';

export default function App() {
  const { t, i18n } = useTranslation();
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  useEffect(() => {
    api<Me>('GET', '/session')
      .then((m) => {
        setCsrf(m.csrf ?? '');
        setMe(m);
      })
      .catch(() => setMe(null));
  }, []);

  const logout = async () => {
    await api('DELETE', '/session').catch(() => undefined);
    setCsrf('');
    setMe(null);
  };
  const toggleLang = () => setLang(i18n.language === 'en' ? 'zh-CN' : 'en');

  if (me === undefined) return <Spin style={{ margin: 64 }} />;
  if (me === null) return <Login onLogin={setMe} onToggleLang={toggleLang} />;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between' }}>
        <Typography.Title level={4} style={{ color: '#fff', margin: 0 }}>
          {t('title')}
        </Typography.Title>
        <Space>
          <Typography.Text style={{ color: '#fff' }} data-testid="me">
            {t('signedInAs', { name: me.name, role: me.role })}
          </Typography.Text>
          <Button onClick={toggleLang}>{t('language')}</Button>
          <Button onClick={logout}>{t('logout')}</Button>
        </Space>
      </Layout.Header>
      <Layout.Content style={{ padding: 24 }}>
        <Terminals me={me} />
      </Layout.Content>
    </Layout>
  );
}
