import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import i18n from './i18n';
import { BrowserRouter } from 'react-router';
import App from './App';

// Date pickers' month and day names follow the console's language too.
const dayjsLocale = (lang: string) => (lang === 'en' ? 'en' : 'zh-cn');
dayjs.locale(dayjsLocale(i18n.language));

function Root() {
  const [lang, setLang] = useState(i18n.language);
  useEffect(() => {
    const onChange = (l: string) => {
      dayjs.locale(dayjsLocale(l));
      setLang(l);
    };
    i18n.on('languageChanged', onChange);
    return () => i18n.off('languageChanged', onChange);
  }, []);
  return (
    <ConfigProvider locale={lang === 'en' ? enUS : zhCN}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </ConfigProvider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
