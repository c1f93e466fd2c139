// The audit log's stable action codes and targets (server/domain record_audit
// calls) in words, both languages. An action not listed here is shown as its
// code, so a new one is never hidden; actions.test.ts lists the server's.
type Words = [zh: string, en: string];

export const ACTIONS: Record<string, Words> = {
  'application.submit': ['提交终端申请', 'Application submitted'],
  'application.verify': ['核验申请人身份', 'Applicant checked'],
  'application.approve': ['批准申请', 'Application approved'],
  'application.reject': ['拒绝申请', 'Application rejected'],
  'application.ship': ['终端已发货', 'Terminal shipped'],
  'application.activation_code': ['发送激活码', 'Activation code sent'],
  'audit.export': ['导出审计日志', 'Audit log exported'],
  'deployment.create': ['创建部署', 'Deployment created'],
  'deployment.cancel': ['取消部署', 'Deployment canceled'],
  'login.ok': ['登录', 'Logged in'],
  'login.failed': ['登录失败', 'Log-in failed'],
  'login.refused': ['登录被拒绝（尝试过多或账号停用）', 'Log-in refused (too many tries or account disabled)'],
  'login.totp_failed': ['登录失败（两步验证码错误或重复使用）', 'Log-in failed (two-step code wrong or reused)'],
  'settings.totp_required': ['设置管理员是否必须两步验证', 'Two-step verification for administrators set'],
  'merchant.create': ['新建商户', 'Merchant created'],
  'merchant.link': ['终端绑定商户', 'Terminal linked to merchant'],
  'policy.change': ['修改更新策略', 'Update policy changed'],
  'policy.lock': ['锁定或解锁自动更新', 'Automatic update locked or unlocked'],
  'policy.bulk': ['批量修改更新策略', 'Update policy changed in bulk'],
  'policy.change.applied': ['终端修改更新策略（已生效）', 'Update policy changed on the terminal (applied)'],
  'policy.change.superseded': ['终端修改更新策略（被后台覆盖）', 'Update policy changed on the terminal (superseded)'],
  'policy.reset.applied': ['终端恢复默认更新设置', 'Update settings reset to defaults on the terminal'],
  'policy.reset.refused': ['终端恢复默认设置（自动更新已锁定，保持不变）', 'Settings reset on the terminal (locked automatic update kept)'],
  'deployment.replace': ['部署被新版本替代', 'Deployment replaced by a newer release'],
  'deployment.timed_out': ['部署超时（长时间没有进展）', 'Deployments timed out (no progress for too long)'],
  'fleet.timeouts': ['修改部署超时时限', 'Deployment timeouts changed'],
  'freeze.create': ['新增封网期', 'Freeze period added'],
  'organisation.create': ['新增组织', 'Organisation added'],
  'parameters.set': ['修改参数', 'Parameters changed'],
  'parameters.template.create': ['新建参数模板', 'Parameter template created'],
  'parameters.template.replace': ['替换参数模板', 'Parameter template replaced'],
  'terminal.organisation': ['终端转给其他组织', 'Terminal given to another organisation'],
  'release.organisation': ['修改版本的接收范围', 'Who receives a release changed'],
  'application.organisation': ['申请转给其他组织审核', 'Application given to another organisation'],
  'merchant.organisation': ['商户转给其他组织', 'Merchant given to another organisation'],
  'freeze.delete': ['删除封网期', 'Freeze period removed'],
  'release.stop': ['紧急停止版本', 'Release stopped (kill switch)'],
  'release.stop_lift': ['解除版本的紧急停止', 'Release stop lifted'],
  'rollout.approve': ['批准灰度发布的下一批', 'Rollout wave approved'],
  'rollout.cancel': ['取消灰度发布', 'Rollout canceled'],
  'rollout.create': ['创建灰度发布', 'Rollout created'],
  'rollout.pause': ['暂停灰度发布', 'Rollout paused'],
  'rollout.resume': ['恢复灰度发布', 'Rollout resumed'],
  'rollout.retry': ['重试失败的终端', 'Failed terminals retried'],
  'rollout.schedule': ['灰度发布定时开始', 'Rollout scheduled to start'],
  'rollout.stop': ['灰度发布被紧急停止', 'Rollout stopped by the kill switch'],
  'terminal.time_zone': ['修改终端时区', 'Terminal time zone changed'],
  'merchant.time_zone': ['修改商户默认时区', 'Merchant default time zone changed'],
  'webhook.create': ['新增消息推送', 'Webhook added'],
  'webhook.delete': ['删除消息推送', 'Webhook removed'],
  'webhook.test': ['发送测试消息', 'Webhook test message sent'],
  'support.ask_admin': ['客服请管理员处理（终端已锁定）', 'Support asked an administrator (terminal locked)'],
  'policy.change.refused': ['终端修改更新策略（已锁定，被拒绝）', 'Update policy change on the terminal refused (locked)'],
  'release.deadline': ['设置安全更新期限', 'Security deadline set'],
  'support.verify.code_sent': ['客服核实：已发送验证码', 'Support check: code sent'],
  'support.verify.ok': ['客服核实通过', 'Support check passed'],
  'support.verify.code_wrong': ['客服核实：验证码错误', 'Support check: wrong code'],
  'support.verify.code_expired': ['客服核实：验证码过期', 'Support check: code expired'],
  'support.verify.identity_mismatch': ['客服核实：身份不符', 'Support check: identity does not match'],
  'support.verify.refused': ['客服核实被拒绝', 'Support check refused'],
  'support.unlock_code': ['提供解锁码', 'Unlock code given'],
  'terminal.register': ['注册终端', 'Terminal registered'],
  'terminal.import': ['批量导入终端', 'Terminals imported'],
  'terminal.enroll': ['终端激活', 'Terminal enrolled'],
  'terminal.enroll.refused': ['终端激活被拒绝', 'Terminal enrolment refused'],
  'terminal.group': ['更改终端分组', 'Terminal group changed'],
  'terminal.retire': ['终端退役', 'Terminal retired'],
  'terminal.token_rotate': ['更换终端令牌', 'Terminal token rotated'],
  'terminal.certificate.issue': ['签发终端证书', 'Terminal certificate issued'],
  'terminal.certificate.revoke': ['吊销终端证书', 'Terminal certificate revoked'],
  'terminal.lock': ['锁定终端', 'Terminal locked'],
  'terminal.action.logs': ['收集终端日志', 'Terminal logs requested'],
  'terminal.action.reboot': ['远程重启终端', 'Terminal reboot requested'],
  'terminal.bundle.download': ['下载终端日志包', 'Terminal log bundle downloaded'],
  'terminal.lock_release': ['远程解锁', 'Lock lifted remotely'],
  'terminal.unlocked': ['终端已解锁', 'Terminal unlocked'],
  'fleet.device_auth': ['修改终端认证方式', 'Terminal authentication setting changed'],
  'ticket.open': ['商户提交工单', 'Ticket opened'],
  'ticket.note': ['工单备注', 'Ticket note added'],
  'ticket.close': ['关闭工单', 'Ticket closed'],
  'token.create': ['创建 API 令牌', 'API token created'],
  'token.revoke': ['吊销 API 令牌', 'API token revoked'],
  'root.publish': ['发布信任根文档', 'Root of trust published'],
  'user.create': ['新建后台用户', 'User created'],
  'user.change': ['修改后台用户', 'User changed'],
  'user.password_reset': ['重置密码', 'Password reset'],
  'user.totp_enrol': ['设置两步验证', 'Two-step verification set up'],
  'user.totp_reset': ['重置两步验证', 'Two-step verification reset'],
};

const TARGETS: Record<string, Words> = {
  application: ['申请', 'application'],
  deployment: ['部署', 'deployment'],
  group: ['分组', 'group'],
  merchant: ['商户', 'merchant'],
  parameters: ['参数', 'parameters of'],
  release: ['版本', 'release'],
  terminal: ['终端', 'terminal'],
  ticket: ['工单', 'ticket'],
  user: ['用户', 'user'],
  token: ['令牌', 'token'],
};

const pick = (w: Words, lang: string) => (lang === 'en' ? w[1] : w[0]);

export function actionText(code: string, lang: string): string {
  const w = ACTIONS[code];
  return w ? pick(w, lang) : code;
}

// "terminal:WEB0001" → "终端 WEB0001"; "fleet" → "全部终端".
export function targetText(target: string, lang: string): string {
  if (target === 'fleet') return lang === 'en' ? 'whole fleet' : '全部终端';
  const colon = target.indexOf(':');
  const w = colon > 0 ? TARGETS[target.slice(0, colon)] : undefined;
  return w ? `${pick(w, lang)} ${target.slice(colon + 1)}` : target;
}
