// Browser test: locking a lost or stolen terminal (远程锁定, docs/terminal_lock.md) against a real
// posfleetd and a real agent.
//   - An administrator locks the terminal from its page: the dialog explains what the terminal
//     will do and wants a reason before anything is sent; the page shows 终端已锁定 with the
//     reason; at its next poll the agent keeps the lock and refuses a sale.
//   - A support agent verifies the merchant on the support desk and gets the unlock code for the
//     locked terminal, shown once; the terminal's page then says support read it out.
//   - The page in English; then the administrator lifts the lock remotely: the agent unlocks at
//     its next poll and the page says how the lock ended. The audit log words every step, and no
//     page ever holds the code but the support agent's dialog.
// Screenshots in Chinese and English. Run by ctest (label browser) with POSFLEETD, POSFLEET_CLI
// and POSFLEET_AGENT set.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Suite } from './lib.mjs';

const SERIAL = 'BR-LOCK-1';
const PHONE = '13800138000';
const RESIDENT_ID = '11010519491231002X';
const SUPPORT_PHONE = '95516';

// The newest one-time code the server "sent" (the SMS outbox of a test server).
function smsCode(s) {
  const lines = readFileSync(join(s.work, 'var', 'sms-outbox.jsonl'), 'utf8').trim().split('\n');
  const last = JSON.parse(lines[lines.length - 1]);
  if (last.to !== PHONE) throw new Error('the code went to ' + last.to);
  return last.text.split('验证码 ')[1].slice(0, 6);
}

// A sale on the terminal: the agent's exit code (3: refused, the terminal is locked).
function pay(agent) {
  const r = spawnSync(process.env.POSFLEET_AGENT, ['-c', agent.config, 'pay', '--amount', '100'], { timeout: 60000 });
  return r.status;
}

const suite = new Suite('lock');
// However the run goes, it ends: past 8 minutes every process started is stopped.
setTimeout(() => {
  console.log('not ok - the test ran out of time');
  for (const p of suite.processes) p.kill('SIGKILL');
  process.exit(1);
}, 8 * 60 * 1000).unref();

await suite.run(async (s) => {
  await s.startServer(['--support-phone', SUPPORT_PHONE]);
  const agent = await s.startAgent(SERIAL);
  const lockOf = async () => (await agent.status())?.lock;
  await s.expect('the agent runs unlocked', lockOf, (l) => l?.locked === false);
  const m = await s.api('POST', '/merchants', { legal_name: '张三', phone: PHONE, resident_id: RESIDENT_ID });
  s.check(m.status === 201, 'a merchant is created');
  const linked = await s.api('POST', `/merchants/${m.body.id}/terminals`, { serial: SERIAL });
  s.check(linked.status === 200, 'the terminal is linked to the merchant');
  const amyPassword = await s.user('amy', 'support');

  // ---- Locking, as an administrator ----------------------------------------
  const page = await s.page();
  await s.login(page);
  await page.goto(`${s.url}/terminals/${SERIAL}`);
  await s.expectAttr(page.getByTestId('lock-state'), 'data-state', 'never', 'the page says the terminal was never locked');
  await page.getByTestId('lock-open').click();
  await s.expectText(page.getByTestId('lock-warning'), (t) => t.includes('终端已锁定') && t.includes('解锁码'),
                     'the dialog explains what the terminal will do');
  await page.getByTestId('lock-ok').click();
  await page.getByText('请填写原因').first().waitFor();
  s.check(true, 'a lock without a reason is refused in the form');
  await page.getByTestId('lock-reason').fill('商户报失');
  await page.getByTestId('lock-ok').click();
  await s.expectAttr(page.getByTestId('lock-state'), 'data-state', 'locked', 'the page shows the terminal locked');
  await s.expectText(page.getByTestId('lock-state'), (t) => t === '终端已锁定', 'with a red 终端已锁定');
  await s.expectText(page.getByTestId('lock-shown-reason'), '商户报失', 'and the reason');
  await s.expectText(page.getByTestId('lock-code'), '客服尚未提供', 'support has not read the code out yet');
  await s.expect('the terminal keeps the lock at its next poll', lockOf,
                 (l) => l?.locked === true && l?.support_phone === SUPPORT_PHONE, 30000);
  s.check(pay(agent) === 3, 'the locked terminal refuses a sale');
  await s.shot(page, 'terminal-locked-zh');

  // ---- The unlock code, as a support agent ---------------------------------
  const desk = await s.page();
  await s.login(desk, 'amy', amyPassword);
  await desk.getByTestId('nav-support').click();
  await desk.getByTestId('merchant-q').fill(SERIAL);
  await desk.getByTestId('merchant-search').click();
  await desk.getByTestId(`call-${SERIAL}`).click();
  await desk.getByTestId('verify-name').fill('张三');
  await desk.getByTestId('verify-last4').fill('002X');
  await desk.getByTestId('verify-send').click();
  await desk.getByTestId('verify-code').waitFor();
  await desk.getByTestId('verify-code').fill(smsCode(s));
  await desk.getByTestId('verify-check').click();
  await desk.getByTestId('verify-ok').waitFor();
  await s.expectText(desk.getByTestId(`unlock-row-${SERIAL}`), '商户报失', 'the verified merchant\'s locked terminal is offered');
  await s.shot(desk, 'support-locked-terminal-zh');
  await desk.getByTestId(`unlock-get-${SERIAL}`).click();
  await desk.getByTestId('unlock-reason').fill('商户来电，已核实身份');
  await desk.getByTestId('unlock-ok').click();
  await s.expectText(desk.getByTestId('unlock-code'), (t) => /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(t),
                     'the code is shown, XXXX-XXXX-XXXX');
  const code = (await desk.getByTestId('unlock-code').textContent()).trim();
  await s.expectText(desk.getByTestId('unlock-read-out'), '审计日志', 'with a note to read it out, and that it is audited');
  await s.shot(desk, 'support-unlock-code-zh');
  await desk.getByTestId('unlock-done').click();
  await s.expectCount(desk.getByTestId('unlock-code'), 0, 'the code is gone once the dialog is closed');
  s.check(!(await desk.content()).includes(code), 'the support page no longer holds the code');

  // The terminal's page follows by itself: support read the code out.
  await s.expectAttr(page.getByTestId('lock-code'), 'data-given', 'yes', 'the terminal page says support read the code out',
                     30000);
  await s.expectText(page.getByTestId('lock-code'), 'amy', 'and who');
  s.check(!(await page.content()).includes(code), "the terminal's page never holds the code");

  await page.getByTestId('lang').click();
  await s.expectText(page.getByTestId('lock-state'), (t) => t === 'Terminal locked', 'the page in English');
  await s.expectText(page.getByTestId('lock-code'), 'Read to the merchant by amy', 'the code read out, in English');
  await s.shot(page, 'terminal-locked-en');
  await page.getByTestId('lang').click();
  await s.expectText(page.getByTestId('lock-state'), (t) => t === '终端已锁定', 'back in Chinese');

  // ---- Lifting the lock remotely -------------------------------------------
  await page.getByTestId('lift-open').click();
  await s.expectText(page.getByTestId('lift-warning'), '下次联网时解锁', 'the dialog says when the terminal unlocks');
  await page.getByTestId('lift-reason').fill('商户已找回终端');
  await page.getByTestId('lift-ok').click();
  await s.expect('the page shows the lock lifted', () => page.getByTestId('lock-state').first().getAttribute('data-state'),
                 (v) => v === 'released' || v === 'unlocked');
  await s.expect('the terminal unlocks at its next poll', lockOf, (l) => l?.locked === false, 30000);
  await s.expectAttr(page.getByTestId('lock-history'), 'data-how', 'remote', 'the page shows the lock ended, lifted remotely',
                     30000);
  await s.expectText(page.getByTestId('lock-history'), (t) => t.includes('商户报失') && t.includes('远程解除'),
                     'the history line says which lock ended and how');
  s.check(pay(agent) === 0, 'the terminal takes sales again');
  await s.shot(page, 'terminal-unlocked-zh');
  await page.getByTestId('lang').click();
  await s.expectText(page.getByTestId('lock-history'), 'lifted remotely', 'the history line in English');
  await s.shot(page, 'terminal-unlocked-en');

  await page.getByTestId('nav-audit').click();
  await s.expectText(page.locator('body'), (t) => ['Terminal locked', 'Unlock code given', 'Lock lifted remotely']
    .every((w) => t.includes(w)), 'the audit log words each step');
  s.check(!(await page.content()).includes(code), 'the audit log never holds the code');
});
