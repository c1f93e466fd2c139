// The console's own strings, zh-CN first; Ant Design's come from its locales.
// The chosen language is kept in localStorage.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import overview from './pages/overview/strings';
import terminals from './pages/terminals/strings';
import policy from './pages/policy/strings';
import releases from './pages/releases/strings';
import deployments from './pages/deployments/strings';
import support from './pages/support/strings';
import audit from './pages/audit/strings';
import users from './pages/users/strings';
import login from './pages/login/strings';
import apply from './pages/apply/strings';
import applications from './pages/applications/strings';
import rollouts from './pages/rollouts/strings';
import freezes from './pages/freezes/strings';
import organisations from './pages/organisations/strings';
import webhooks from './pages/webhooks/strings';
import parameters from './pages/parameters/strings';
import words from './common/words';
import shared from './common/strings';

export type Lang = 'zh-CN' | 'en';
const KEY = 'posfleet.lang';

// Each page keeps its strings beside it (pages/*/strings.ts) in its own
// namespace: useTranslation('releases') and so on.
const pages = { overview, terminals, policy, releases, deployments, support, audit, users, apply, applications, login,
                rollouts, freezes, webhooks, organisations, parameters };

const common = {
  'zh-CN': {
    translation: {
      ...words['zh-CN'],
      ...shared['zh-CN'],
      title: 'posfleet 后台管理',
      login: '登录',
      logout: '退出登录',
      user: '用户名',
      password: '密码',
      userRequired: '请输入用户名',
      passwordRequired: '请输入密码',
      loginFailed: '登录失败：{{message}}',
      loginWrong: '用户名或密码错误',
      sessionExpired: '登录已过期，请重新登录；登录后回到刚才的页面',
      menuFold: '收起菜单',
      menuUnfold: '展开菜单',
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
      locked: '已锁定：{{reason}}',
      window: '维护时段',
      allDay: '全天',
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
      path_public: '申请页面',
      outcome_applied: '已生效',
      outcome_superseded: '被后台覆盖',
      outcome_refused: '被拒绝（已锁定）',
      policy: '策略',
      retry: '重试',
      nothingYet: '这里还没有内容',
      tooLong: '最多 {{max}} 个字',
      timeOfDayInvalid: '请按 时:分 填写，如 22:00',
      error_unauthorized: '登录已失效或用户名、密码不对，请重新登录',
      error_forbidden: '您的角色没有这项权限',
      error_csrf: '页面已过期，请刷新页面后再试',
      error_not_found: '找不到该记录，可能已被删除',
      error_invalid_argument: '填写有误',
      error_conflict: '与现有记录冲突',
      error_wrong_state: '当前状态下不能这样操作，请刷新后再试',
      error_too_many_requests: '请求太频繁，请稍后再试',
      error_too_many_attempts: '尝试次数过多，请稍后再试',
      error_busy: '服务器繁忙，请稍后再试',
      error_too_large: '文件太大',
      error_certificate_revoked: '该终端的证书已被吊销，请重新激活终端或联系客服',
      error_certificate_invalid: '证书或证书请求无效，请在终端上重新生成后再试',
      error_root_not_next: '根证书文档的版本必须正好比当前版本大 1，请先发布中间的版本',
      error_root_untrusted: '根证书文档没有足够的旧根密钥和新根密钥签名',
      error_sequence_replayed: '该发布的序号低于终端已接受的序号，请用更高的序号重新签名',
      error_key_revoked: '该发布的签名密钥已被新的根证书文档撤销，请用当前的发布密钥重新签名',
      error_bad_request: '请求格式有误，请刷新页面后重试',
      error_header_too_large: '请求头太大，请清除本站的浏览数据后重试',
      error_too_many_tickets: '该终端今天提交的工单已达上限，请明天再试或直接致电客服',
      error_unsupported_media_type: '请求的内容类型不对，请刷新页面后重试',
      error_weak_password: '密码不符合要求：至少 12 个字符、最多 128 个，不能与用户名相同，也不能是常见密码',
      error_totp_required: '请输入身份验证器应用中的 6 位验证码',
      error_totp_wrong: '验证码错误或已使用过，请等待下一个验证码后再试',
      error_totp_enrol_required: '管理员必须先设置两步验证（TOTP）才能继续',
      error_webhook_failed: '消息推送的接收方没有收下这条消息，请检查地址、关键词和签名密钥',
      error_two_person_rule: '双人复核：灰度发布的下一批须由创建人以外的人批准',
      error_release_stopped: '该版本已被紧急停止，解除停止前不能再发布',
      error_unknown: '出错了，请稍后再试',
      error_network: '连不上服务器，请检查网络后重试',
      timeZoneNote: '时间按 {{tz}} 显示',
      nav_overview: '概览',
      nav_terminals: '终端',
      nav_policy: '更新策略',
      nav_releases: '版本发布',
      nav_deployments: '部署',
      nav_support: '客服工作台',
      nav_audit: '审计日志',
      nav_users: '用户',
      nav_account: '两步验证',
      nav_applications: '申请审核',
      nav_rollouts: '灰度发布',
      nav_freezes: '封网日历',
      nav_organisations: '组织',
      nav_parameters: '参数下发',
      nav_webhooks: '消息推送',
      role_admin: '管理员',
      role_release_manager: '发布经理',
      role_support: '客服',
      role_auditor: '审计员',
    },
  },
  en: {
    translation: {
      ...words.en,
      ...shared.en,
      title: 'posfleet back office',
      login: 'Log in',
      logout: 'Log out',
      user: 'User name',
      password: 'Password',
      userRequired: 'Enter your user name',
      passwordRequired: 'Enter your password',
      loginFailed: 'Log-in failed: {{message}}',
      loginWrong: 'The user name or password is wrong',
      sessionExpired: 'Your session has expired; log in again to return to this page',
      menuFold: 'Fold the menu',
      menuUnfold: 'Unfold the menu',
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
      locked: 'Locked: {{reason}}',
      window: 'Maintenance window',
      allDay: 'all day',
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
      path_public: 'public application page',
      outcome_applied: 'applied',
      outcome_superseded: 'superseded by the back office',
      outcome_refused: 'refused (locked)',
      policy: 'Policy',
      retry: 'Try again',
      nothingYet: 'Nothing here yet',
      tooLong: 'At most {{max}} characters',
      timeOfDayInvalid: 'Use hours:minutes, e.g. 22:00',
      error_unauthorized: 'Your session has ended or the user name or password is wrong; please log in again',
      error_forbidden: 'Your role may not do this',
      error_csrf: 'This page is out of date; reload it and try again',
      error_not_found: 'Not found; it may have been removed',
      error_invalid_argument: 'Please check what you entered',
      error_conflict: 'This conflicts with an existing record',
      error_wrong_state: 'This cannot be done in its current state; reload and try again',
      error_too_many_requests: 'Too many requests; please wait and try again',
      error_too_many_attempts: 'Too many attempts; please wait and try again',
      error_busy: 'The server is busy; please try again shortly',
      error_too_large: 'The file is too large',
      error_certificate_revoked: "This terminal's certificate was revoked; enrol the terminal again or call support",
      error_certificate_invalid: 'The certificate or certificate request cannot be used; make a new one on the terminal and try again',
      error_root_not_next: "The root's version must be exactly one above the current root; publish the versions in between first",
      error_root_untrusted: 'The root is not signed by enough keys of the current root and of its own',
      error_sequence_replayed: 'The release sequence is below one the terminal already accepted; sign it again with a higher sequence',
      error_key_revoked: 'The release is signed by a key the current root revoked; sign it with a current release key',
      error_bad_request: 'The request was malformed; reload the page and try again',
      error_header_too_large: "The request's headers are too large; clear this site's cookies and try again",
      error_too_many_tickets: 'This terminal has opened as many tickets as allowed today; try tomorrow or call support',
      error_unsupported_media_type: 'The request had the wrong content type; reload the page and try again',
      error_weak_password:
        'The password does not meet the policy: 12 to 128 characters, not the user name, not a common password',
      error_totp_required: 'Enter the 6-digit code from your authenticator app',
      error_totp_wrong: 'The code is wrong or was used already; wait for the next code and try again',
      error_totp_enrol_required: 'Administrators must set up two-step verification (TOTP) before anything else',
      error_webhook_failed: "The webhook's receiver did not take the message; check its URL, keyword and signing secret",
      error_two_person_rule: "The two-person rule: someone other than the rollout's creator approves its next wave",
      error_release_stopped: 'This release was stopped by the kill switch; lift the stop before deploying it again',
      error_unknown: 'Something went wrong; please try again',
      error_network: 'Cannot reach the server; check the network and try again',
      timeZoneNote: 'Times shown in {{tz}}',
      nav_overview: 'Overview',
      nav_terminals: 'Terminals',
      nav_policy: 'Update policy',
      nav_releases: 'Releases',
      nav_deployments: 'Deployments',
      nav_support: 'Support desk',
      nav_audit: 'Audit log',
      nav_users: 'Users',
      nav_account: 'Two-step verification',
      nav_applications: 'Applications',
      nav_rollouts: 'Rollouts',
      nav_freezes: 'Freeze calendar',
      nav_organisations: 'Organisations',
      nav_parameters: 'Parameters',
      nav_webhooks: 'Webhooks',
      role_admin: 'administrator',
      role_release_manager: 'release manager',
      role_support: 'support agent',
      role_auditor: 'auditor',
    },
  },
};

const resources = Object.fromEntries(
  (['zh-CN', 'en'] as const).map((lang) => [
    lang,
    {
      translation: common[lang].translation,
      ...Object.fromEntries(Object.entries(pages).map(([ns, strings]) => [ns, strings[lang]])),
    },
  ]),
);

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
