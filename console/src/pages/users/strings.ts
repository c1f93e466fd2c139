// Strings of the users page (namespace 'users'), zh-CN first.
export default {
  'zh-CN': {
    todo: '此页面正在建设中',
  },
  en: {
    todo: 'This page is being built',
  },
};
