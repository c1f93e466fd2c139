// Strings of the policy page (namespace 'policy'), zh-CN first.
export default {
  'zh-CN': {
    todo: '此页面正在建设中',
  },
  en: {
    todo: 'This page is being built',
  },
};
