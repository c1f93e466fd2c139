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

// No animations for a reader whose system asks for less motion (prefers-reduced-motion): lists,
// dialogs and messages appear at once. The browser tests ask for it too (lib.mjs), so a click
// never lands on a list still sliding open or a dialog still zooming in.
const REDUCED_MOTION = '(prefers-reduced-motion: reduce)';

function Root() {
  const [lang, setLang] = useState(i18n.language);
  const [still, setStill] = useState(() => window.matchMedia(REDUCED_MOTION).matches);
  useEffect(() => {
    const query = window.matchMedia(REDUCED_MOTION);
    const onChange = () => setStill(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  useEffect(() => {
    const onChange = (l: string) => {
      dayjs.locale(dayjsLocale(l));
      setLang(l);
    };
    i18n.on('languageChanged', onChange);
    return () => i18n.off('languageChanged', onChange);
  }, []);
  return (
    <ConfigProvider locale={lang === 'en' ? enUS : zhCN} theme={still ? { token: { motion: false } } : undefined}>
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
