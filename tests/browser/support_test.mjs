// Browser test: the support desk, the audit log and the users page against a
// real posfleetd and a real agent.
//   - A merchant opens a ticket from the terminal's POS menu (联系客服).
//   - A support agent sees it in the queue, looks the merchant up (masked),
//     verifies their identity (a wrong code first: the tries left show), turns
//     updates off (永不) on their behalf with a reason, adds a note and closes
//     the ticket; the agent holds "never" after its next poll.
//   - An administrator creates an auditor; the auditor sees only what an
//     auditor may, finds the support change in the audit log, narrows it with
//     filters, exports it (CSV and JSONL) and sees the chain intact; when the
//     auditor is disabled, their session ends.
//   - Someone edits the database behind the server's back: the page shows the
//     chain broken at that entry.
// Run by ctest (label browser) with POSFLEETD, POSFLEET_CLI and POSFLEET_AGENT set.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Suite } from './lib.mjs';

const SERIAL = 'SUP0001';
const PHONE = '13800138000';
const RESIDENT_ID = '11010519491231002X';
const REASON = '工单：商户来电要求关闭自动更新';

// The newest one-time code the server "sent" (the SMS outbox of a test server).
function smsCode(s) {
  const lines = readFileSync(join(s.work, 'var', 'sms-outbox.jsonl'), 'utf8').trim().split('\n');
  const last = JSON.parse(lines[lines.length - 1]);
  if (last.to !== PHONE) throw new Error('the code went to ' + last.to);
  return last.text.split('验证码 ')[1].slice(0, 6);
}

// The terminal's own menu on a pipe: 3 (联系客服), the message, then out.
async function ticketFromMenu(s, agent, message) {
  const menu = s.openMenu(agent);
  await menu.until('联系客服');
  menu.send('3');
  await menu.until('请输入留言');
  menu.send(message);
  await menu.until('客服将与您联系');
  const id = Number(menu.screen.slice(menu.screen.indexOf('已创建客服工单')).match(/编号 (\d+)/)[1]);
  menu.close();
  return id;
}

async function logout(page) {
  await page.getByTestId('logout').click();
  await page.getByTestId('login-submit').waitFor();
}

await new Suite('support').run(async (s) => {
  await s.startServer();
  const server = s.processes[s.processes.length - 1];
  const agent = await s.startAgent(SERIAL);
  const agentMode = async () => (await agent.status())?.policy?.mode;
  await s.waitFor('the agent to run on auto', async () => (await agentMode()) === 'auto');

  const m = await s.api('POST', '/merchants', { legal_name: '张三', phone: PHONE, resident_id: RESIDENT_ID });
  s.check(m.status === 201 && !JSON.stringify(m.body).includes(RESIDENT_ID), 'a merchant is created, its ID shown masked');
  await s.api('POST', `/merchants/${m.body.id}/terminals`, { serial: SERIAL });
  const ticket = await ticketFromMenu(s, agent, '请关闭自动更新');
  s.check(ticket > 0, `the POS menu opened ticket #${ticket}`);

  const amyPassword = await s.user('amy', 'support');

  // ---- The support desk, as a support agent -------------------------------
  const page = await s.page();
  await s.login(page, 'amy', amyPassword);
  await s.expectCount(page.getByTestId('nav-users'), 0, 'a support agent has no users page in the navigation');
  await page.getByTestId('nav-support').click();
  const row = page.getByTestId('ticket-table').locator('tr', { hasText: SERIAL });
  await row.first().waitFor();
  await s.expectText(row, (t) => t.includes('请关闭自动更新') && t.includes('1.0.0') && t.includes('开启'),
                     'the queue shows the ticket with its serial, version, policy snapshot and message');
  await s.shot(page, 'support-queue-zh');

  // Merchant lookup: by name and by serial, masked.
  await page.getByTestId('merchant-search').click();
  await page.getByText('请至少输入 2 个字').first().waitFor();
  s.check(true, 'an empty lookup is refused in the form');
  await page.getByTestId('merchant-q').fill('张三');
  await page.getByTestId('merchant-search').click();
  const results = page.getByTestId('merchant-results');
  await results.getByText('138****8000').waitFor();
  await s.expectText(results, (t) => !t.includes(PHONE) && !t.includes(RESIDENT_ID) && t.includes(SERIAL),
                     'lookup by name finds the merchant, masked, with their terminal');
  await page.getByTestId('merchant-q').fill(SERIAL);
  await page.getByTestId('merchant-search').click();
  await results.getByText('张三').waitFor();
  s.check(true, 'lookup by serial finds the merchant');

  // Open the ticket.
  await page.getByTestId(`ticket-open-${ticket}`).click();
  await page.getByTestId('ticket-serial').waitFor();
  await s.expectText(page.getByTestId('ticket-merchant'), (t) => t === '张三', 'the ticket shows the terminal and its merchant');
  const drawer = page.getByTestId('ticket-drawer');
  s.check(!(await drawer.textContent()).includes(PHONE), 'the drawer shows no full phone number');

  // Identity: a wrong name first, then the right one.
  await page.getByTestId('verify-send').click();
  await page.getByText('请输入商户的法定名称').waitFor();
  await page.getByTestId('verify-name').fill('李四');
  await page.getByTestId('verify-last4').fill('002X');
  await page.getByTestId('verify-send').click();
  await page.getByTestId('verify-error').getByText('身份核对未通过', { exact: false }).waitFor();
  s.check(true, 'a wrong name is refused, in Chinese');
  await page.getByTestId('verify-name').fill('张三');
  await page.getByTestId('verify-send').click();
  await page.getByTestId('verify-code').waitFor();
  await s.expectText(page.getByTestId('verify-tries'), (t) => t === '还可尝试 5 次', 'the code step shows 5 tries');
  await s.expectText(page.getByTestId('verify-expires'), '前有效', 'the code step shows its expiry');
  const code = smsCode(s);
  await page.getByTestId('verify-code').fill(code === '000000' ? '111111' : '000000');
  await page.getByTestId('verify-check').click();
  await page.getByTestId('verify-error').getByText('验证码不正确，还可尝试 4 次').waitFor();
  await s.expectText(page.getByTestId('verify-tries'), (t) => t === '还可尝试 4 次', 'a wrong code leaves 4 tries, shown');
  await s.shot(page, 'support-verify-wrong-code-zh');
  await page.getByTestId('verify-code').fill(code);
  await page.getByTestId('verify-check').click();
  await page.getByTestId('verify-ok').waitFor();
  s.check(true, 'the right code verifies the merchant');

  // Change on behalf: a reason is required.
  await page.getByTestId('verify-change-form').getByText('永不', { exact: true }).click();
  await page.getByTestId('verify-apply').click();
  await page.getByText('请填写原因，例如商户的请求').waitFor();
  s.check(s.cli('--json', 'policy', 'show', '--terminal', SERIAL).effective.mode === 'auto', 'no reason, no change');
  await page.getByTestId('verify-reason').fill(REASON);
  await page.getByTestId('verify-apply').click();
  await page.getByTestId('verify-done').waitFor();
  await s.expectText(page.getByTestId('verify-done'), SERIAL, 'the change names the terminal');
  await s.waitFor('the agent to learn never', async () => (await agentMode()) === 'never');
  s.check(true, 'the running agent holds never after its next poll');
  await s.shot(page, 'support-changed-zh');

  // Notes and closing.
  await page.getByTestId('note-add').click();
  await page.getByText('请填写备注内容').waitFor();
  await page.getByTestId('note-text').fill('已致电商户确认');
  await page.getByTestId('note-add').click();
  await page.getByTestId('ticket-notes').getByText('已致电商户确认').waitFor();
  await s.expectText(page.getByTestId('ticket-notes'), 'amy', 'the note says who wrote it');
  await page.getByTestId('close-ticket').click();
  await page.getByText('关闭工单需要填写处理结果').waitFor();
  await page.getByTestId('close-note').fill('已代为关闭自动更新');
  await page.getByTestId('close-ticket').click();
  await page.getByTestId('close-confirm').click();
  await page.getByTestId('ticket-status').getByText('已关闭').waitFor();
  await s.expectText(page.getByTestId('ticket-notes'), '已代为关闭自动更新', 'closing adds its note to the ticket');
  await s.shot(page, 'support-ticket-closed-zh');
  await page.keyboard.press('Escape');
  await logout(page);

  // ---- Users, as the administrator ----------------------------------------
  await s.login(page);
  await page.getByTestId('nav-users').click();
  await page.getByTestId('users-table').getByText('amy').waitFor();
  await page.getByTestId('user-create').click();
  await page.getByTestId('user-save').click();
  await page.getByText('请输入用户名').waitFor();
  await page.getByTestId('user-name').fill('olga');
  await s.choose(page, 'user-role', '审计员');
  await page.getByTestId('user-password').fill('short');
  await page.getByTestId('user-form').getByText('密码至少 12 个字符', { exact: true }).waitFor();
  s.check(true, 'the password rule is shown before sending');
  await page.getByTestId('user-password').fill('olga-password');
  await page.getByTestId('user-confirm').fill('olga-password');
  await page.getByTestId('user-save').click();
  await page.getByTestId('users-info').waitFor();
  await page.getByTestId('users-table').getByText('olga').waitFor();
  s.check((await s.api('GET', '/users')).body.users.some((u) => u.name === 'olga' && u.role === 'auditor'),
          'the administrator created olga as an auditor');
  // The only administrator cannot disable themself.
  await page.getByTestId('user-toggle-admin').click();
  await page.getByTestId('user-toggle-ok-admin').click();
  await page.getByTestId('users-error').waitFor();
  await s.expectText(page.getByTestId('users-error'), '最后一个启用的管理员', 'the last administrator cannot disable themself, and is told why');
  await s.shot(page, 'users-zh');

  // ---- The audit log, as the auditor --------------------------------------
  const auditor = await s.page();
  await s.login(auditor, 'olga', 'olga-password');
  await s.expectText(auditor.getByTestId('nav'), (t) => t.includes('审计日志') && !t.includes('客服工作台') && !t.includes('用户'),
                     'an auditor sees the audit log, not the support desk or users');
  const refused = await auditor.evaluate(async () => (await fetch('/api/v1/users')).status);
  s.check(refused === 403, 'the server refuses the users list to an auditor');
  await auditor.getByTestId('nav-audit').click();
  await auditor.locator('[data-chain="ok"]').waitFor();
  s.check(true, 'the chain status is intact');
  const change = auditor.getByTestId('audit-table').locator('tr', { hasText: REASON });
  await change.first().waitFor();
  await s.expectText(change, (t) => t.includes('amy') && t.includes('客服') && t.includes('修改更新策略'),
                     'the support change is in the log with actor, path, action in words and reason');
  await s.shot(auditor, 'audit-zh');

  await auditor.getByTestId('audit-actor').fill('amy');
  await Promise.all([
    auditor.waitForResponse((r) => r.url().includes('/api/v1/audit?') && r.url().includes('actor=amy')),
    auditor.getByTestId('audit-filter').click(),
  ]);
  const actorCells = auditor.getByTestId('audit-table').locator('tbody tr.ant-table-row td:nth-child(4)');
  let actors = [];
  await s.waitFor('only amy in the table', async () => {
    actors = await actorCells.allTextContents();
    return actors.length > 0 && actors.every((a) => a === 'amy');
  });
  const all = Number((await auditor.getByTestId('audit-total').textContent()).match(/\d+/)[0]);
  s.check(actors.length === Math.min(all, 20), `the actor filter leaves only amy's entries (${all})`);
  await auditor.getByTestId('audit-terminal').fill(SERIAL);
  await Promise.all([
    auditor.waitForResponse((r) => r.url().includes('/api/v1/audit?') && r.url().includes('terminal=' + SERIAL)),
    auditor.getByTestId('audit-filter').click(),
  ]);
  let narrowed = 0;
  await s.waitFor('the terminal filter to apply', async () => {
    narrowed = Number((await auditor.getByTestId('audit-total').textContent()).match(/\d+/)[0]);
    return narrowed < all;
  });
  const rows = await auditor.getByTestId('audit-table').locator('tbody tr.ant-table-row').allTextContents();
  s.check(narrowed >= 1 && rows.length === narrowed && rows.some((r) => r.includes(REASON)),
          `actor and terminal narrow it further (${narrowed} of ${all}), the change among them`);

  const [csv] = await Promise.all([auditor.waitForEvent('download'), auditor.getByTestId('export-csv').click()]);
  const csvText = readFileSync(await csv.path(), 'utf8');
  s.check(csv.suggestedFilename().endsWith('.csv') && csvText.includes(REASON) && csvText.includes('policy.change'),
          'the CSV export downloads the filtered entries');
  const [jsonl] = await Promise.all([auditor.waitForEvent('download'), auditor.getByTestId('export-jsonl').click()]);
  const lines = readFileSync(await jsonl.path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  s.check(lines.length === narrowed && lines.every((e) => e.actor === 'amy') && lines.some((e) => e.reason === REASON),
          `the JSONL export holds exactly what the filters match (${lines.length})`);

  await auditor.getByTestId('audit-reset').click();
  await auditor.getByPlaceholder('开始时间').click();
  await auditor.getByPlaceholder('开始时间').fill('2020-01-01 00:00');
  await auditor.getByPlaceholder('开始时间').press('Enter');
  await auditor.getByPlaceholder('结束时间').fill('2020-01-02 00:00');
  // Enter takes the end time and, in the filter form, applies the filters.
  const [ranged] = await Promise.all([
    auditor.waitForResponse((r) => r.url().includes('/api/v1/audit?') && r.url().includes('from=')),
    auditor.getByPlaceholder('结束时间').press('Enter'),
  ]);
  const rangedUrl = new URL(ranged.url());
  s.check(rangedUrl.searchParams.get('from') === '2019-12-31T16:00:00Z',
          `a time picked in Shanghai is sent as UTC (${rangedUrl.searchParams.get('from')})`);
  await auditor.getByText('没有符合条件的审计记录').waitFor();
  s.check(true, 'a time range before everything shows no entries');
  await s.shot(auditor, 'audit-range-zh');

  // Disabling the auditor ends their session.
  await page.getByTestId('user-toggle-olga').click();
  await page.getByTestId('user-toggle-ok-olga').click();
  await page.getByTestId('user-status-olga').getByText('已停用').waitFor();
  const gone = await auditor.evaluate(async () => (await fetch('/api/v1/session')).status);
  s.check(gone === 401, 'a disabled user\'s session has ended');
  await auditor.reload();
  await auditor.getByTestId('login-submit').waitFor();
  s.check(true, 'the disabled auditor is back at the log-in form');

  // Resetting a password and changing a role, each confirmed, each ending the sessions.
  const amy = await s.page();
  await s.login(amy, 'amy', amyPassword);
  await page.getByTestId('user-reset-amy').click();
  await page.getByTestId('reset-password').fill('amy-new-password');
  await page.getByTestId('reset-confirm').fill('amy-other-password');
  await page.getByTestId('password-save').click();
  await page.getByText('两次输入的密码不一致').waitFor();
  await page.getByTestId('reset-confirm').fill('amy-new-password');
  await page.getByTestId('password-save').click();
  await page.getByTestId('users-info').getByText('已重置 amy 的密码', { exact: false }).waitFor();
  s.check(await amy.evaluate(async () => (await fetch('/api/v1/session')).status) === 401,
          'a reset password ends the user\'s session');
  const relogin = await fetch(s.url + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                                           body: JSON.stringify({ name: 'amy', password: 'amy-new-password' }) });
  s.check(relogin.status === 200, 'the new password logs in');
  await page.getByTestId('user-role-amy').click();
  await s.choose(page, 'role-select', '发布经理');
  await page.getByText('确定把 amy 的角色改为“发布经理”吗？', { exact: false }).waitFor();
  await page.getByTestId('role-save').click();
  await page.getByTestId('users-info').getByText('已更新 amy').waitFor();
  s.check((await s.api('GET', '/users')).body.users.some((u) => u.name === 'amy' && u.role === 'release_manager'),
          'the role change reached the server');

  // ---- The server's own checks and permissions ----------------------------
  const tokenFor = async (role) => (await s.api('POST', '/tokens', { name: `t-${role}`, role })).body.token;
  const supportToken = await tokenFor('support'), auditorToken = await tokenFor('auditor');
  s.check((await s.api('GET', '/audit', undefined, supportToken)).status === 403, 'support may not read the audit log');
  s.check((await s.api('GET', '/audit/verify', undefined, supportToken)).status === 403, 'support may not check the chain');
  s.check((await s.api('GET', '/users', undefined, supportToken)).status === 403, 'support may not list users');
  s.check((await s.api('POST', `/support/tickets/${ticket}/notes`, { text: 'x' }, auditorToken)).status === 403,
          'an auditor may not write ticket notes');
  s.check((await s.api('GET', '/merchants?q=张三', undefined, auditorToken)).status === 403, 'an auditor may not look up merchants');
  const invalid = async (what, method, path, body) => {
    const r = await s.api(method, path, body);
    s.check(r.status === 400 && r.body.error.code === 'invalid_argument' && r.body.error.message.length > 10,
            `${what}: 400 saying what to do (${r.body?.error?.message})`);
  };
  await invalid('an empty note', 'POST', `/support/tickets/${ticket}/notes`, { text: '  ' });
  await invalid('a 1001-character note', 'POST', `/support/tickets/${ticket}/notes`, { text: '长'.repeat(1001) });
  await invalid('a one-letter lookup', 'GET', '/merchants?q=张');
  await invalid('last 4 that are not digits or X', 'POST', '/support/verifications',
                { terminal: SERIAL, legal_name: '张三', id_last4: '00AX' });
  await invalid('a time that is not UTC', 'GET', '/audit?from=2026-01-01');
  await invalid('an unknown export format', 'GET', '/audit/export?format=xlsx');
  await invalid('a user change with nothing to change', 'PUT', '/users/amy', {});
  const weak = await s.api('POST', '/users', { name: 'pat', role: 'auditor', password: 'short' });
  s.check(weak.status === 400 && weak.body.error.code === 'weak_password' && weak.body.error.message.includes('12'),
          `a short password: 400 weak_password saying what to do (${weak.body?.error?.message})`);
  const closedAgain = await s.api('POST', `/support/tickets/${ticket}/close`, { note: 'again' });
  s.check(closedAgain.status === 409, 'a closed ticket cannot be closed again');

  // ---- English and tablet width -------------------------------------------
  await page.getByTestId('nav-audit').click();
  await page.getByTestId('lang').click();
  await page.getByText('Audit log').first().waitFor();
  await page.locator('[data-chain="ok"]').waitFor();
  await s.shot(page, 'audit-en');
  await page.getByTestId('lang').click();
  const tablet = await s.page({ width: 768, height: 1024 });
  await s.login(tablet);
  await tablet.goto(s.url + '/support');
  await tablet.getByTestId('ticket-status-filter').getByText('全部').click();
  await tablet.getByTestId('ticket-table').getByText(SERIAL).waitFor();
  await s.shot(tablet, 'support-tablet-768');
  await tablet.goto(s.url + '/audit');
  await tablet.getByTestId('chain-status').waitFor();
  await s.shot(tablet, 'audit-tablet-768');

  // ---- Tampering shows as a broken chain -----------------------------------
  server.kill('SIGTERM');
  await new Promise((r) => (server.exitCode !== null ? r() : server.on('exit', r)));
  execFileSync('python3', ['-c', `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DROP TRIGGER audit_log_no_update")
db.execute("UPDATE audit_log SET reason = 'nothing happened' WHERE id = 2")
db.commit()
`, join(s.work, 'var', 'posfleet.db')]);
  await s.startServer();
  const admin = await s.page();
  await s.login(admin);
  await admin.getByTestId('nav-audit').click();
  await admin.locator('[data-chain="broken"]').waitFor();
  await s.expectText(admin.getByTestId('chain-status'), (t) => t.includes('第 2 条') && t.includes('写入后被改动'),
                     'the page shows the chain broken at entry 2');
  await s.shot(admin, 'audit-broken-zh');
});
