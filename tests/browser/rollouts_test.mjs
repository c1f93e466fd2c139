// Browser test: the 灰度发布 (rollouts) page against a real posfleetd and a
// real agent. A release manager creates a two-wave rollout by groups (pilot,
// then the rest) for the terminals a filter picks, checks the preview's counts
// against the server, and watches the pilot terminal's agent install it; the
// second wave needs approval to start, which the creator is not offered: a second
// release manager approves with a reason. The creator pauses the rollout with
// a reason, then stops the release everywhere with the kill switch (reason
// and version typed); the rollout shows 已紧急停止 and the overview a red
// banner. Screenshots in Chinese and English.
// Run by ctest (label browser) with POSFLEETD, POSFLEET_CLI and POSFLEET_AGENT set.
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Suite } from './lib.mjs';

await new Suite('rollouts').run(async (s) => {
  await s.startServer();
  s.cli('policy', 'set', '--window', '00:00-00:00', '--reason', 'test fleet installs at any hour');
  // The pilot terminal runs a real agent; the rest are registered only (they never poll, so the
  // second wave stays open while the test pauses and stops it).
  const pilot = await s.startAgent('ROL1001');
  for (const serial of ['ROL2001', 'ROL2002']) s.cli('terminal', 'register', '--serial', serial, '--model', 'A920');
  s.cli('terminal', 'register', '--serial', 'ROL3001', '--model', 'S300');
  for (const [serial, group] of [['ROL1001', 'pilot'], ['ROL2001', 'rest'], ['ROL2002', 'rest']])
    s.check((await s.api('PUT', `/terminals/${serial}/group`, { group })).status === 200, `${serial} joins ${group}`);

  writeFileSync(join(s.work, 'os-2.1.0.bin'), randomBytes(100_000));
  s.cli('release', 'create', '--dir', 'rel-2.1.0', '--version', '2.1.0', '--model', 'A920',
        '--notes-zh', '版本 2.1.0', '--notes-en', 'Version 2.1.0', '--component', 'os=os-2.1.0.bin');
  s.cli('release', 'sign', '--dir', 'rel-2.1.0', '--key', 'release.key');
  s.cli('release', 'publish', '--dir', 'rel-2.1.0');
  await s.user('rm', 'release_manager');
  await s.user('lead', 'release_manager');

  // ---- Create, with a preview.
  const page = await s.page();
  await s.login(page, 'rm', 'rm-password-1');
  await page.getByTestId('nav-rollouts').click();
  await page.getByTestId('rollout-create').click();
  await s.choose(page, 'create-release', '2.1.0');
  await page.getByTestId('create-name').fill('试点门店先行');
  await page.getByTestId('create-target-filter').click();
  await page.getByTestId('create-filter-model').fill('A920');
  await page.getByTestId('create-by-group').click();
  await page.getByTestId('wave-remove-3').click();
  await page.getByTestId('wave-remove-2').click();
  await s.expectCount(page.locator('[data-testid=create-waves] input[data-testid^=wave-group-]'), 2,
                      'two waves are left');
  await page.getByTestId('wave-group-0').fill('pilot');
  await page.getByTestId('wave-group-1').fill('rest');
  await page.getByTestId('wave-soak-0').fill('0');
  await page.getByTestId('wave-approval-1').check();
  await page.getByTestId('create-reason').fill('先在试点门店验证');
  await page.getByTestId('create-preview').click();
  const preview = page.getByTestId('preview');
  await s.expectAttr(preview, 'data-total', '3', 'the preview counts the three A920 terminals the filter picks');
  await s.expectAttr(page.getByTestId('preview-wave-0'), 'data-count', '1', 'the pilot wave gets one terminal');
  await s.expectAttr(page.getByTestId('preview-wave-1'), 'data-count', '2', 'the second wave gets the two others');
  await s.shot(page, 'rollout-preview-zh');
  await page.getByTestId('create-submit').click();
  await page.getByTestId('rollout-title').waitFor();
  const id = page.url().match(/\/rollouts\/(\d+)/)?.[1];
  s.check(!!id, `the new rollout's page opens (${page.url()})`);
  const get = async () => (await s.api('GET', `/rollouts/${id}`)).body;
  s.check((await get()).created_by === 'rm', 'the server names rm as its creator');

  // ---- Watch: the pilot terminal installs; the wave waits for approval.
  await s.expectAttr(page.getByTestId('wave-0-count-success'), 'data-count', '1',
                     'the pilot wave counts its terminal as succeeded', 90000);
  await s.expect('the pilot agent runs 2.1.0', async () => (await pilot.status())?.version, (v) => v === '2.1.0', 30000);
  await s.expectAttr(page.getByTestId('rollout-state'), 'data-state', 'waiting_approval', 'the rollout waits for approval', 60000);
  await s.expectVisible(page.getByTestId('approve-not-mine'), 'the creator is told a colleague approves');
  s.check((await page.getByTestId('action-approve').count()) === 0, 'the creator is not offered approval');
  await s.shot(page, 'rollout-waiting-approval-zh');

  // ---- A second user approves, with a reason.
  const second = await s.page();
  await s.login(second, 'lead', 'lead-password-1');
  await second.goto(`${s.url}/rollouts/${id}`);
  await second.getByTestId('action-approve').click();
  await second.getByTestId('prompt-approve-ok').click();
  await second.getByText('每次更改都要填写原因').waitFor();
  s.check(true, 'an approval without a reason is refused in the form');
  await second.getByTestId('prompt-approve-reason').fill('试点正常，继续');
  await second.getByTestId('prompt-approve-ok').click();
  await second.getByTestId('action-notice').waitFor();
  await s.expect('the server records lead as the approver', async () => (await get()).waves[1].approved_by, (v) => v === 'lead');
  await s.expectAttr(second.getByTestId('rollout-state'), 'data-state', 'running', 'the rollout runs its second wave', 30000);
  await s.shot(second, 'rollout-approved-zh');

  // ---- The creator pauses it, with a reason.
  await page.getByTestId('action-pause').click();
  await page.getByTestId('prompt-pause-reason').fill('观察支付成功率');
  await page.getByTestId('prompt-pause-ok').click();
  await s.expectAttr(page.getByTestId('rollout-state'), 'data-state', 'paused', 'the rollout is paused');
  s.check((await get()).state === 'paused', 'the server holds it paused');
  await s.shot(page, 'rollout-paused-zh');

  // ---- Kill switch: reason, and the version typed.
  await page.getByTestId('kill-switch').click();
  await page.getByTestId('kill-reason').fill('支付应用闪退，全部停止');
  await page.getByTestId('kill-version').fill('2.0');
  await page.getByTestId('kill-ok').click();
  await page.getByText('输入的版本号不一致').waitFor();
  s.check((await get()).state === 'paused', 'a wrong version stops nothing');
  await s.shot(page, 'rollout-kill-confirm-zh');
  await page.getByTestId('kill-version').fill('2.1.0');
  await page.getByTestId('kill-ok').click();
  await page.getByTestId('action-notice').waitFor();
  await s.expectAttr(page.getByTestId('rollout-state'), 'data-state', 'stopped', 'the rollout shows 已紧急停止');
  s.check((await get()).state === 'stopped', 'the server holds it stopped');
  await s.expectText(page.getByTestId('rollout-state'), '已紧急停止', 'the state is worded in Chinese');
  await s.shot(page, 'rollout-stopped-zh');
  await page.getByTestId('lang').click();
  await s.expectText(page.getByTestId('rollout-state'), 'stopped (kill switch)', 'and in English');
  await s.shot(page, 'rollout-stopped-en');
  await page.getByTestId('lang').click();

  // ---- The overview says so, in red.
  await page.getByTestId('nav-overview').click();
  await s.expectText(page.getByTestId('stopped-2.1.0'), '支付应用闪退，全部停止', 'the overview shows the stopped release with its reason');
  await s.shot(page, 'overview-stopped-zh');
  await page.getByTestId('nav-rollouts').click();
  await s.expectAttr(page.getByTestId(`rollout-state-${id}`), 'data-state', 'stopped', 'the list shows it stopped');
  await s.shot(page, 'rollouts-list-zh');
});
