// One word per concept, in both languages, for every page that names it: the
// automatic-update setting and its three values (as the terminal's menu says
// them: 自动更新 → 开启 / 手动 / 永不), and a policy's revision — a counter of
// policy changes, never a software version (版本). Spread into each page's
// strings; i18n.test.ts checks that no page words them differently.
export default {
  'zh-CN': {
    mode: '自动更新',
    mode_auto: '开启',
    mode_manual: '手动',
    mode_never: '永不',
    revision: '策略修订号',
  },
  en: {
    mode: 'Automatic update',
    mode_auto: 'On',
    mode_manual: 'Manual',
    mode_never: 'Never',
    revision: 'Policy revision',
  },
};
