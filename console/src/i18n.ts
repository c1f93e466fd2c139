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
      policyOf: '更新策略：',
      mode: '自动更新',
      mode_auto: '开启',
      mode_manual: '手动',
      mode_never: '永不',
      locked: '已锁定：{{reason}}',
      window: '维护时段',
      allDay: '全天',
      revision: '版本号',
      changeMode: '更改自动更新',
      reason: '原因',
      reasonRequired: '每次更改都要填写原因',
      save: '保存',
      policySaved: '已保存；终端将在下次联网时收到',
      history: '变更记录',
      time: '时间',
      who: '操作人',
      path: '途径',
      outcome: '结果',
      path_console: '后台',
      path_terminal: '终端',
      path_support: '客服',
      outcome_applied: '已生效',
      outcome_superseded: '被后台覆盖',
      outcome_refused: '被拒绝（已锁定）',
      policy: '策略',
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
      policyOf: 'Update policy of',
      mode: 'Automatic update',
      mode_auto: 'On',
      mode_manual: 'Manual',
      mode_never: 'Never',
      locked: 'Locked: {{reason}}',
      window: 'Maintenance window',
      allDay: 'all day',
      revision: 'Revision',
      changeMode: 'Change automatic update',
      reason: 'Reason',
      reasonRequired: 'Every change needs a reason',
      save: 'Save',
      policySaved: 'Saved; the terminal gets it at its next poll',
      history: 'History',
      time: 'Time',
      who: 'Who',
      path: 'Path',
      outcome: 'Outcome',
      path_console: 'back office',
      path_terminal: 'terminal',
      path_support: 'support',
      outcome_applied: 'applied',
      outcome_superseded: 'superseded by the back office',
      outcome_refused: 'refused (locked)',
      policy: 'Policy',
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
