// The console's own strings, zh-CN first; Ant Design's come from its locales.
// The chosen language is kept in localStorage.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';

export type Lang = 'zh-CN' | 'en';
const KEY = 'posfleet.lang';

const resources = {
  'zh-CN': {
    translation: {
      title: 'posfleet 后台管理',
      login: '登录',
      logout: '退出登录',
      user: '用户名',
      password: '密码',
      userRequired: '请输入用户名',
      passwordRequired: '请输入密码',
      loginFailed: '登录失败：{{message}}',
      terminals: '终端',
      serial: '序列号',
      model: '型号',
      version: '版本',
      group: '分组',
      lastSeen: '最近在线',
      never: '从未',
      loadFailed: '加载失败：{{message}}',
      empty: '还没有终端',
      language: 'English',
      signedInAs: '{{name}}（{{role}}）',
    },
  },
  en: {
    translation: {
      title: 'posfleet back office',
      login: 'Log in',
      logout: 'Log out',
      user: 'User name',
      password: 'Password',
      userRequired: 'Enter your user name',
      passwordRequired: 'Enter your password',
      loginFailed: 'Log-in failed: {{message}}',
      terminals: 'Terminals',
      serial: 'Serial',
      model: 'Model',
      version: 'Version',
      group: 'Group',
      lastSeen: 'Last seen',
      never: 'never',
      loadFailed: 'Could not load: {{message}}',
      empty: 'No terminals yet',
      language: '中文',
      signedInAs: '{{name}} ({{role}})',
    },
  },
};

export function savedLang(): Lang {
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN';
}

export function setLang(lang: Lang) {
  localStorage.setItem(KEY, lang);
  document.documentElement.lang = lang;
  void i18n.changeLanguage(lang);
}

void i18n.use(initReactI18next).init({
  resources,
  lng: savedLang(),
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
});

export default i18n;
