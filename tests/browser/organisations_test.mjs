// Browser test: organisations (组织). The acquirer's administrator adds a reseller and a
// merchant below it on the organisations page (the tree drawn indented), gives a terminal to the
// reseller from the terminal's page (移至其他组织, with a reason for the audit log) and makes a
// user of the reseller on the users page; a sibling reseller gets a terminal with the CLI. The
// reseller's user then logs in: the console offers only the pages that keep to its subtree,
// names its organisation in the header, the terminal list shows its own terminal only, and its
// move dialog offers only its own subtree, where it gives the terminal on to its merchant; in
// Chinese and in English. The reseller's administrator sets its organisation's update mode on
// the policy page and locks its merchant's. An application for a terminal is given by the
// acquirer to the reseller (交给其他组织审核), whose administrator finds it on its own review page.
// Run by ctest (label browser) with POSFLEETD and POSFLEET_CLI set.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Suite } from './lib.mjs';

// The SMS the server "sent" to `phone` (the outbox of a test server).
function smsTo(s, phone) {
  const file = join(s.work, 'var', 'sms-outbox.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.to === phone).map((m) => m.text);
}

await new Suite('organisations').run(async (s) => {
  await s.startServer();
  for (const serial of ['BR-ORG-EAST', 'BR-ORG-HQ', 'BR-ORG-SOUTH'])
    s.cli('terminal', 'register', '--serial', serial, '--model', 'A920');
  const page = await s.page();
  await s.login(page);

  await page.getByTestId('nav-organisations').click();
  await page.getByTestId('org-name').fill('华东代理');
  await page.getByTestId('org-add').click();
  await s.expectText(page.getByTestId('org-notice'), '已添加 华东代理', 'the reseller is added');
  const orgs = async () => (await s.api('GET', '/organisations')).body.organisations;
  await s.waitFor('the reseller to be listed', async () => (await orgs()).some((o) => o.name === '华东代理'));
  const east = (await orgs()).find((o) => o.name === '华东代理');

  await page.getByTestId('org-name').fill('西湖茶馆');
  await page.getByTestId('org-kind-merchant').click();
  await s.choose(page, 'org-parent', '华东代理');
  await page.getByTestId('org-add').click();
  await s.expectText(page.getByTestId('org-notice'), '已添加 西湖茶馆', 'the merchant is added below it');
  await s.waitFor('the merchant to be listed', async () => (await orgs()).some((o) => o.name === '西湖茶馆'));
  const shop = (await orgs()).find((o) => o.name === '西湖茶馆');
  s.check(shop.parent === east.id && shop.depth === 2, 'the merchant sits below the reseller');
  await s.expectAttr(page.getByTestId(`org-${shop.id}`), 'style', 'padding-left: 40px;', 'drawn two levels in');
  await s.shot(page, 'organisations');

  // A sibling reseller's terminal, given with the CLI: the reseller's user must never see it.
  const south = (await s.api('POST', '/organisations', { name: '华南代理', kind: 'reseller' })).body;
  s.cli('terminal', 'move', 'BR-ORG-SOUTH', '--org', String(south.id), '--reason', '签约');

  // The administrator gives BR-ORG-EAST to the reseller from the terminal's page.
  await page.goto(s.url + '/terminals/BR-ORG-EAST');
  await s.expectText(page.getByTestId('detail-organisation'), (t) => t === '收单机构', 'the terminal is the acquirer\'s');
  await page.getByTestId('move-org').click();
  await s.expectText(page.getByTestId('move-org-note'), '现属收单机构', 'the dialog says where it is now');
  await page.getByTestId('move-org-ok').click();
  await page.getByText('请填写原因').waitFor();
  s.check(true, 'a reason is asked for before anything is sent');
  await page.getByTestId('move-org-to').click();
  await s.expectCount(page.locator('.ant-select-dropdown:visible .ant-select-item-option'), 4,
                      'the whole tree is offered: the acquirer, both resellers and the merchant');
  await s.shot(page, 'move-picker');
  await s.choose(page, 'move-org-to', '华东代理');
  await page.getByTestId('move-org-reason').fill('交由华东代理维护');
  await s.shot(page, 'move-dialog');
  await page.getByTestId('move-org-ok').click();
  await s.expectText(page.getByTestId('detail-organisation'), (t) => t === '华东代理（代理商）',
                     'the terminal page names the reseller after the move');
  s.check(await page.getByTestId('move-org-ok').isHidden(), 'the dialog closed');
  await s.shot(page, 'terminal-moved');
  const moves = (await s.api('GET', '/audit?terminal=BR-ORG-EAST&order=desc')).body.entries
    .filter((e) => e.action === 'terminal.organisation');
  const audited = moves.length === 1 && moves[0].reason === '交由华东代理维护' && moves[0].after.includes('华东代理');
  s.check(audited, `the move is audited with its reason${audited ? '' : ` (${JSON.stringify(moves)})`}`);

  // ... and makes a user of the reseller on the users page.
  await page.getByTestId('nav-users').click();
  await s.expectText(page.getByTestId('user-org-admin'), (t) => t === '收单机构', 'the users list names the organisation');
  await page.getByTestId('user-create').click();
  await page.getByTestId('user-name').fill('east-ops');
  await s.choose(page, 'user-role', '发布经理');
  await s.expectText(page.getByTestId('user-form'), '收单机构', 'a new user is the acquirer\'s unless another is chosen');
  await s.choose(page, 'user-organisation', '华东代理');
  await page.getByTestId('user-password').fill('east-ops-password-1');
  await page.getByTestId('user-confirm').fill('east-ops-password-1');
  await page.getByTestId('user-save').click();
  await page.getByTestId('users-info').waitFor();
  await s.expectText(page.getByTestId('user-org-east-ops'), (t) => t === '华东代理', 'the new user belongs to the reseller');
  s.check((await s.api('GET', '/users')).body.users.some((u) => u.name === 'east-ops' && u.organisation === east.id),
          'the server made east-ops in the reseller');
  await s.shot(page, 'users');

  const theirs = await s.page();
  await s.login(theirs, 'east-ops', 'east-ops-password-1');
  await s.expectText(theirs.getByTestId('me-organisation'), '华东代理', 'the header names the organisation');
  // Its overview counts its own subtree's terminals: the one moved to it, not the fleet's three.
  await theirs.getByTestId('nav-overview').click();
  await s.expectText(theirs.getByTestId('stat-total'), (t) => /(^|\D)1(\D|$)/.test(t) && !/3/.test(t),
                     "the reseller's overview counts its one terminal");
  await s.shot(theirs, 'reseller-overview');
  // The acquirer's releases are listed to it, to read and deploy; publishing is the acquirer's.
  await theirs.getByTestId('nav-releases').click();
  await theirs.getByTestId('empty').waitFor();  // none published yet: the list answered, not a refusal
  s.check(await theirs.getByTestId('load-error').count() === 0, 'the releases are read without a refusal');
  s.check(await theirs.getByTestId('release-upload').count() === 0, 'no publishing for a reseller');
  // Its own rollouts: none yet, and the list answered it rather than refused it.
  await theirs.getByTestId('nav-rollouts').click();
  await theirs.getByTestId('rollouts').waitFor();
  s.check(await theirs.getByTestId('load-error').count() === 0, 'its rollouts are read without a refusal');
  // Its deployments page: a release manager of the reseller may deploy from it.
  await theirs.getByTestId('nav-deployments').click();
  await theirs.getByTestId('assign-form').waitFor();
  s.check(await theirs.getByTestId('load-error').count() === 0, 'its deployments page answers without a refusal');
  await theirs.getByTestId('nav-terminals').click();
  await theirs.getByTestId('terminal-BR-ORG-EAST').waitFor();
  await s.expectText(theirs.getByTestId('total'), '1', 'one terminal in all');
  s.check(await theirs.getByTestId('terminal-BR-ORG-HQ').count() === 0, "the acquirer's own terminal is not listed");
  s.check(await theirs.getByTestId('terminal-BR-ORG-SOUTH').count() === 0, "nor the sibling reseller's");
  await s.shot(theirs, 'reseller-terminals');

  // The reseller's user gives the terminal on to its merchant: only its own subtree is offered.
  await theirs.getByTestId('terminal-BR-ORG-EAST').click();
  await s.expectText(theirs.getByTestId('detail-organisation'), (t) => t === '华东代理（代理商）', 'its page names the reseller');
  await theirs.getByTestId('move-org').click();
  await theirs.getByTestId('move-org-to').click();
  const offered = theirs.locator('.ant-select-dropdown:visible .ant-select-item-option');
  await s.expectCount(offered, 2, 'the dialog offers the reseller and its merchant only');
  await s.shot(theirs, 'reseller-move-picker');
  const names = (await offered.allTextContents()).join(' ');
  s.check(!names.includes('华南代理') && !names.includes('收单机构'), `no sibling nor the acquirer is offered (${names})`);
  await s.choose(theirs, 'move-org-to', '西湖茶馆');
  await theirs.getByTestId('move-org-reason').fill('商户签约');
  await theirs.getByTestId('move-org-ok').click();
  await s.expectText(theirs.getByTestId('detail-organisation'), (t) => t === '西湖茶馆（商户）',
                     'the reseller gave it to its merchant');
  await s.shot(theirs, 'reseller-terminal-moved');
  await theirs.getByTestId('nav-organisations').click();
  await s.expectText(theirs.getByTestId('organisations'), '西湖茶馆', 'its merchant is listed');
  await theirs.getByTestId('lang').click();
  await s.expectText(theirs.getByTestId(`org-${east.id}`), '华东代理 (yours)', 'in English, its own marked');

  // The reseller's administrator: the users page lists its subtree's users alone (no fleet
  // settings, no API tokens), and the audit log its subtree's entries (no chain check).
  s.check((await s.api('POST', '/users', { name: 'east-boss', role: 'admin', password: 'east-boss-password-1',
                                          organisation: east.id })).status === 201, 'the acquirer makes the reseller an administrator');
  s.check((await s.api('POST', '/users', { name: 'south-ops', role: 'auditor', password: 'south-ops-password-1',
                                          organisation: south.id })).status === 201, 'and the sibling a user');
  const boss = await s.page();
  await s.login(boss, 'east-boss', 'east-boss-password-1');
  await boss.getByTestId('nav-users').click();
  await boss.getByTestId('user-org-east-ops').waitFor();
  await s.expectText(boss.getByTestId('user-org-east-boss'), '华东代理', 'its own users are listed');
  s.check(await boss.getByTestId('user-org-south-ops').count() === 0, "the sibling's user is not");
  s.check(await boss.getByTestId('user-org-admin').count() === 0, "nor the acquirer's");
  s.check(await boss.getByTestId('totp-required-switch').count() === 0, "the fleet's log-in setting is not offered");
  await s.shot(boss, 'reseller-users');
  await boss.getByTestId('nav-audit').click();
  await boss.getByTestId('audit-table').waitFor();
  await s.expectText(boss.getByTestId('audit-table'), 'BR-ORG-EAST', "the acquirer's move of its terminal is in its log");
  const table = await boss.getByTestId('audit-table').textContent();
  s.check(!table.includes('BR-ORG-SOUTH') && !table.includes('south-ops') && !table.includes('BR-ORG-HQ'),
          'nothing of the sibling or the acquirer');
  s.check(await boss.getByTestId('chain-status').count() === 0 && await boss.getByTestId('chain-checking').count() === 0,
          'the whole chain check is not offered');
  await s.shot(boss, 'reseller-audit');

  // The reseller's administrator sets its organisation's update mode for its whole subtree; its
  // own organisation's lock is the acquirer's to set, its merchant's its own.
  await boss.getByTestId('nav-policy').click();
  await s.expectText(boss.getByTestId('scope-card'), '华东代理', 'the policy page opens on its own organisation');
  await boss.getByTestId('policy-own-lock-above').waitFor();
  s.check(await boss.getByTestId('pf-locked').count() === 0, 'it is not offered a lock of its own organisation');
  s.check(await boss.getByTestId('tab-bulk').count() === 0 && await boss.getByTestId('scope-fleet').count() === 0,
          "the fleet's policy and the bulk edit are the acquirer's");
  await boss.getByTestId('pf-mode').locator('label').nth(1).click();  // auto, manual, never
  await boss.getByTestId('pf-reason').fill('代理商统一手动更新');
  await boss.getByTestId('pf-save').click();
  await boss.getByTestId('policy-saved').waitFor();
  const modeOf = async (serial) => (await s.api('GET', `/policy?terminal=${serial}`)).body.effective;
  await s.waitFor("the reseller's terminal to be manual", async () => (await modeOf('BR-ORG-EAST')).mode === 'manual');
  s.check((await modeOf('BR-ORG-SOUTH')).mode === 'auto', "the sibling's terminal keeps the fleet's mode");
  await s.shot(boss, 'reseller-policy');
  await boss.getByTestId('scope-org-picker').click();
  const choices = boss.locator('.ant-select-dropdown:visible .ant-select-item-option');
  await s.expectCount(choices, 2, 'the picker offers the reseller and its merchant only');
  await s.choose(boss, 'scope-org-picker', '西湖茶馆');
  await s.expectText(boss.getByTestId('scope-card'), '西湖茶馆', "the merchant's policy is open");
  await boss.getByTestId('pf-locked').click();
  await boss.getByTestId('pf-lock-reason').fill('代理商锁定');
  await boss.getByTestId('pf-mode').locator('label').nth(2).click();
  await boss.getByTestId('pf-reason').fill('商户旺季');
  await boss.getByTestId('pf-save').click();
  await boss.getByTestId('policy-saved').waitFor();
  await s.waitFor("the merchant's terminal to be locked to never", async () => {
    const p = await modeOf('BR-ORG-EAST');
    return p.mode === 'never' && p.locked;
  });
  await s.shot(boss, 'reseller-merchant-locked');

  // An application from the public form; the acquirer gives it to the reseller that signed the
  // merchant up, whose administrator then reviews it on its own page.
  const applicant = { kind: 'individual', legal_name: '李四', resident_id: '11010519491231002X', phone: '13700137000',
                      card: '4111111111111111', bank: '中国工商银行', address: '浙江省杭州市西湖区北山街 1 号', model: 'F30' };
  const asked = await s.api('POST', '/public/phone-codes', { phone: applicant.phone });
  s.check(asked.status === 201, `a phone code is sent (${asked.status})`);
  await s.waitFor('the SMS code', async () => smsTo(s, applicant.phone).length > 0);
  const smsCode = smsTo(s, applicant.phone).at(-1).split('验证码 ')[1].slice(0, 6);
  s.check((await s.api('POST', `/public/phone-codes/${asked.body.id}/confirm`, { code: smsCode })).status === 200,
          'the phone is confirmed');
  const submitted = await s.api('POST', '/public/applications', { ...applicant, phone_code_id: asked.body.id });
  s.check(submitted.status === 201, `the application is submitted (${submitted.status} ${JSON.stringify(submitted.body)})`);
  const number = submitted.body.number;
  await page.goto(s.url + '/applications');
  await s.expectText(page.getByTestId(`app-org-${number}`), '收单机构', 'the queue names who reviews each application');
  await page.getByTestId(`app-open-${number}`).click();
  await s.expectText(page.getByTestId('app-organisation'), '收单机构', 'a new application is the acquirer\'s to review');
  await s.choose(page, 'give-picker', '华东代理');
  await page.getByTestId('give-reason').fill('华东代理发展的商户');
  await page.getByTestId('give-submit').click();
  await s.expectText(page.getByTestId('app-organisation'), '华东代理', 'the drawer names the reseller after giving it');
  await s.expectText(page.getByTestId('app-note'), '已交给 华东代理 审核', 'and says it was given');
  await s.expectText(page.getByTestId(`app-org-${number}`), '华东代理', 'the queue too');
  await page.getByTestId('app-note').scrollIntoViewIfNeeded();
  await s.shot(page, 'application-given');
  await boss.getByTestId('nav-applications').click();
  await boss.getByTestId(`app-open-${number}`).click();
  await s.expectText(boss.getByTestId('app-organisation'), '华东代理', "the reseller's administrator reviews it");
  await s.shot(boss, 'reseller-application');
  const given = (await s.api('GET', `/audit?order=desc`)).body.entries.find((e) => e.action === 'application.organisation');
  s.check(given && given.reason === '华东代理发展的商户' && given.after.includes('华东代理'),
          `giving it away is audited with its reason (${JSON.stringify(given)})`);
});
