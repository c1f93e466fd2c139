// Strings of the overview page (namespace 'overview'), zh-CN first.
export default {
  'zh-CN': {
    todo: '此页面正在建设中',
  },
  en: {
    todo: 'This page is being built',
  },
};
