// Browser test: applying for a terminal, the whole path, against a real
// posfleetd and a real agent.
//   - An applicant opens /apply on a phone (375 px) in Chinese, types wrong
//     numbers first and sees each field say what is wrong, verifies the
//     mobile number with the SMS code (a wrong code first: tries left), submits
//     and gets the application number; the status page says 已提交.
//   - On a desktop the same person applies again: refused, clearly. Another
//     applicant applies; that one is rejected later.
//   - An administrator reviews: masked numbers only, the format-only banner,
//     approves with a serial and sees the activation code once, records
//     shipping; the applicant's status page shows the tracking number.
//   - A real posfleet-agent enrols with the code and polls; the terminal shows
//     under the merchant in the console; the same code is refused a second time.
//   - The rejected applicant sees the reason on the status page.
//   - No response the browser received holds a plain resident ID or card number.
// Run by ctest (label browser) with POSFLEETD, POSFLEET_CLI and POSFLEET_AGENT set.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Suite } from './lib.mjs';

const FIRST = {
  kind: '企业', legal_name: '张三', resident_id: '110101199003074477', business_name: '张三小吃店',
  credit_code: '91350100M000100Y43', phone: '13800138000', card: '6228480402564890018', bank: '中国农业银行',
  address: '北京市东城区东四北大街 1 号', model: 'M50',
};
const DUPLICATE = { ...FIRST, kind: '个人', phone: '13900139000' };
const SECOND = {
  kind: '个人', legal_name: '李四', resident_id: '11010519491231002X', phone: '13700137000', card: '4111111111111111',
  bank: '中国工商银行', address: '上海市黄浦区南京东路 100 号', model: 'F30',
};
const SECRETS = [FIRST.resident_id, FIRST.card, '6228 4804 0256 4890 018', SECOND.resident_id, SECOND.card, '4111 1111 1111 1111'];
const SERIAL = 'M50A0001';
const REJECTION = '地址不完整，请补充门牌号';

// The newest SMS the server "sent" to `phone` (the outbox of a test server).
function smsTo(s, phone) {
  const file = join(s.work, 'var', 'sms-outbox.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.to === phone).map((m) => m.text);
}

// Every response body a page receives, for the plain-number search at the end.
const bodies = [];
const reading = [];
async function watched(s, viewport) {
  const page = await s.page(viewport);
  page.on('response', (r) => reading.push(r.text().then((t) => bodies.push({ url: r.url(), text: t }), () => undefined)));
  return page;
}

const fieldSays = (page, text) => page.getByTestId('apply-form').getByText(text, { exact: true }).waitFor();

// Fills the form with `a`, verifies the phone (a wrong code first when asked) and submits.
async function apply(s, page, a, { wrongCode = false } = {}) {
  await page.getByTestId('apply-kind').getByText(a.kind, { exact: true }).click();
  await page.getByTestId('apply-legal-name').fill(a.legal_name);
  await page.getByTestId('apply-resident-id').fill(a.resident_id);
  if (a.kind === '企业') {
    await page.getByTestId('apply-business-name').fill(a.business_name);
    await page.getByTestId('apply-credit-code').fill(a.credit_code);
  }
  await page.getByTestId('apply-card').fill(a.card);
  await page.getByTestId('apply-bank').fill(a.bank);
  await page.getByTestId('apply-address').fill(a.address);
  await page.getByTestId(`model-${a.model}`).click();
  await page.getByTestId('apply-phone').fill(a.phone);
  const before = smsTo(s, a.phone).length;
  await page.getByTestId('apply-get-code').click();
  await page.getByTestId('code-sent').waitFor();
  await s.expectText(page.getByTestId('apply-get-code'), '秒后重新获取', `${a.phone}: "获取验证码" counts down after sending`);
  await s.waitFor('the SMS code', async () => smsTo(s, a.phone).length > before);
  const code = smsTo(s, a.phone).at(-1).split('验证码 ')[1].slice(0, 6);
  if (wrongCode) {
    await page.getByTestId('apply-code').fill(code === '000000' ? '111111' : '000000');
    await page.getByTestId('apply-confirm-code').click();
    await fieldSays(page, '验证码不正确，还可尝试 4 次');
    s.check(true, 'a wrong SMS code says 4 tries are left');
    await s.shot(page, 'apply-wrong-code-phone-zh');
  }
  await page.getByTestId('apply-code').fill(code);
  await page.getByTestId('apply-confirm-code').click();
  await page.getByTestId('phone-verified').waitFor();
  await page.getByTestId('apply-submit').click();
}

async function closeDrawer(page) {
  await page.locator('.ant-drawer-close').click();  // as a person would (Escape needs focus inside)
  await page.getByTestId('app-drawer').waitFor({ state: 'hidden' });
}

async function status(page, url, number, phone) {
  await page.goto(`${url}/apply/status`);
  await page.getByTestId('status-number').fill(number);
  await page.getByTestId('status-phone').fill(phone);
  await page.getByTestId('status-query').click();
}

await new Suite('onboarding').run(async (s) => {
  const url = await s.startServer();
  s.cli('key', 'generate', '--out', join(s.work, 'release'));

  // ---- The applicant, on a phone -------------------------------------------
  const phone = await watched(s, { width: 375, height: 812 });
  await phone.goto(`${url}/apply`);
  await phone.getByTestId('model-picker').waitFor();
  await s.expectText(phone.getByTestId('public-title'), (t) => t === '申请收款终端', '/apply opens in Chinese without a log-in');
  await s.shot(phone, 'apply-form-phone-zh');

  // Wrong numbers first: each field says what is wrong.
  await phone.getByTestId('apply-resident-id').fill('110101199003074478');
  await fieldSays(phone, '身份证号校验位不对，请核对是否输错');
  s.check(true, 'a resident ID with a wrong check character is named');
  await phone.getByTestId('apply-card').fill('6228480402564890081');
  await fieldSays(phone, '卡号校验不通过，请核对是否输错');
  await s.expect('the card number is grouped in fours while typing, and a Luhn failure is said clearly',
                 () => phone.getByTestId('apply-card').inputValue(), (v) => v === '6228 4804 0256 4890 081');
  await s.expectCount(phone.getByTestId('apply-credit-code'), 0, 'an individual is not asked for a credit code');
  await phone.getByTestId('apply-kind').getByText('企业', { exact: true }).click();
  await phone.getByTestId('apply-credit-code').fill('91350100M000100Y44');
  await fieldSays(phone, '统一社会信用代码校验位不对，请核对是否输错');
  s.check(true, 'a business is asked for a credit code, and a wrong check character is named');
  await phone.getByTestId('apply-phone').fill('12800138000');
  await fieldSays(phone, '请填写内地手机号（13–19 开头）');
  await s.shot(phone, 'apply-field-errors-phone-zh');
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  s.check(overflow <= 0, `the form fits a 375 px phone (overflow ${overflow} px)`);

  await apply(s, phone, FIRST, { wrongCode: true });
  await phone.getByTestId('apply-number').waitFor();
  const number = (await phone.getByTestId('apply-number').textContent()).trim();
  s.check(/^PA[2-9A-HJ-NP-Z]{8}$/.test(number), `the application number is shown: ${number}`);
  s.check(smsTo(s, FIRST.phone).at(-1).includes(number), 'the applicant is sent the number by SMS');
  await s.shot(phone, 'apply-submitted-phone-zh');

  await phone.getByTestId('apply-check-status').click();
  await phone.getByTestId('status-form').waitFor();
  await s.expect('the status page is filled in with the number', () => phone.getByTestId('status-number').inputValue(),
                 (v) => v === number);
  await phone.getByTestId('status-phone').fill('13900139000');
  await phone.getByTestId('status-query').click();
  await phone.getByTestId('status-error').getByText('没有找到这个申请编号和手机号对应的申请', { exact: false }).waitFor();
  s.check(true, 'the wrong phone finds nothing');
  await phone.getByTestId('status-phone').fill(FIRST.phone);
  await phone.getByTestId('status-query').click();
  await phone.locator('[data-testid="status-result"][data-status="submitted"]').waitFor();
  s.check(true, 'the status page says 已提交');
  await s.shot(phone, 'status-submitted-phone-zh');

  // ---- On a desktop: the log-in page links here; a duplicate; another applicant ---
  const desk = await watched(s);
  await desk.goto(`${url}/`);
  await desk.getByTestId('login-apply').click();
  await desk.getByTestId('model-picker').waitFor();
  s.check(desk.url().endsWith('/apply'), 'the log-in page links to the application form');
  await s.shot(desk, 'apply-form-zh');
  await apply(s, desk, DUPLICATE);
  await desk.getByTestId('apply-error').getByText('该身份证号已有一份正在处理的申请', { exact: false }).waitFor();
  s.check(true, 'the same resident ID cannot apply twice, and is told so');
  await s.shot(desk, 'apply-duplicate-zh');

  await desk.getByTestId('lang').click();
  await desk.getByTestId('public-title').getByText('Apply for a terminal').waitFor();
  await desk.getByTestId('apply-error').getByText('This resident ID already has an application in progress', { exact: false }).waitFor();
  await desk.getByTestId('apply-card').fill('4111111111111112');
  await desk.getByTestId('apply-form').getByText('The card number fails its check (Luhn); please check for a typo').waitFor();
  s.check(true, 'the form and its messages switch to English');
  await s.shot(desk, 'apply-form-en');
  await desk.getByTestId('lang').click();
  await desk.goto(`${url}/apply`);
  await desk.getByTestId('model-picker').waitFor();
  await apply(s, desk, SECOND);
  await desk.getByTestId('apply-number').waitFor();
  const second = (await desk.getByTestId('apply-number').textContent()).trim();
  s.check(second !== number, `a second applicant gets their own number: ${second}`);

  const tablet = await watched(s, { width: 768, height: 1024 });
  await tablet.goto(`${url}/apply`);
  await tablet.getByTestId('model-picker').waitFor();
  await s.shot(tablet, 'apply-form-tablet-zh');

  // ---- The administrator reviews ---------------------------------------------
  const admin = await watched(s);
  await s.login(admin);
  await admin.getByTestId('nav-applications').click();
  await admin.getByTestId(`app-open-${number}`).click();
  await admin.getByTestId('app-fields').waitFor();
  const drawer = admin.getByTestId('app-drawer');
  await s.expectText(drawer, (t) => t.includes('110101************') && t.includes('6228 **** **** **** 0018') &&
                     t.includes('138****8000'), 'the review shows the resident ID, card and phone masked');
  let text = await drawer.textContent();
  s.check(!SECRETS.some((x) => text.includes(x)) && !text.includes(FIRST.phone), 'and never in full');
  await s.expectText(admin.getByTestId('format-only-banner'), '仅核对格式，未向核验服务查询',
                     'a banner says the provider checked the format only');
  await admin.getByTestId('app-reverify').click();
  await admin.getByTestId('app-note').getByText('已重新核验').waitFor();
  s.check(true, 'verification can be run again');
  await s.shot(admin, 'review-detail-zh');

  await admin.getByTestId('approve-submit').click();
  await admin.getByText('请填写至少一个终端序列号').waitFor();
  await admin.getByText('请填写通过的理由，如：资料齐全').waitFor();
  await admin.getByTestId('approve-serials').fill(`${SERIAL} bad/serial`);
  await admin.getByText('序列号“bad/serial”只能包含', { exact: false }).waitFor();
  s.check(true, 'approval wants well-formed serials and a reason');
  await admin.getByTestId('approve-serials').fill(SERIAL);
  await admin.getByTestId('approve-reason').fill('资料齐全');
  await admin.getByTestId('approve-submit').click();
  await admin.getByTestId('activation-codes').waitFor();
  const codeText = await admin.getByTestId(`activation-code-${SERIAL}`).textContent();
  const code = codeText.match(/[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}/)?.[0];
  s.check(!!code && (await admin.getByTestId('activation-codes').textContent()).includes('只显示这一次'),
          `the activation code is shown once, prominently: ${code}`);
  await s.shot(admin, 'review-approved-codes-zh');
  await closeDrawer(admin);
  await admin.getByTestId('app-filter-approved').click();
  await admin.getByTestId(`app-open-${number}`).click();
  await admin.getByTestId('app-activations').getByText(SERIAL).waitFor();
  s.check(await admin.getByTestId('activation-codes').count() === 0 && !(await drawer.textContent()).includes(code),
          'reopened, the application no longer shows the code');

  await admin.getByTestId('ship-submit').click();
  await admin.getByText('请填写快递公司').waitFor();
  await admin.getByTestId('ship-carrier').fill('顺丰');
  await admin.getByTestId('ship-tracking').fill('SF1234567890');
  await admin.getByTestId('ship-submit').click();
  await admin.getByTestId('app-status').getByText('已寄出').waitFor();
  s.check(smsTo(s, FIRST.phone).at(-1).includes('SF1234567890'), 'shipping is recorded and the applicant told by SMS');
  await s.shot(admin, 'review-shipped-zh');
  await closeDrawer(admin);

  await status(phone, url, number, FIRST.phone);
  await phone.locator('[data-testid="status-result"][data-status="shipped"]').waitFor();
  await s.expect('the status page shows 已寄出 with carrier and tracking number',
                 async () => [await phone.getByTestId('status-tracking').textContent(),
                              await phone.getByTestId('status-carrier').textContent()].join(' '),
                 (v) => v === 'SF1234567890 顺丰');
  await s.shot(phone, 'status-shipped-phone-zh');

  // ---- The terminal enrols with its code ---------------------------------------
  const config = (name) => {
    const path = join(s.work, `agent-${name}.json`);
    writeFileSync(path, JSON.stringify({ server: url, terminal: SERIAL, model: 'M50', device_dir: join(s.work, `dev-${name}`),
      trusted_keys: [join(s.work, 'release.pub')], max_poll_seconds: 1, allow_plain_http: url.startsWith('http://') }));
    return path;
  };
  const terminal = config('terminal');
  const enrolled = execFileSync(process.env.POSFLEET_AGENT, ['-c', terminal, 'enroll', code]).toString();
  s.check(enrolled.includes('激活成功'), 'posfleet-agent enroll exchanges the code');
  const agent = spawn(process.env.POSFLEET_AGENT, ['-c', terminal, 'run'], { stdio: 'ignore' });
  s.processes.push(agent);
  await s.waitFor('the enrolled terminal to poll', async () => (await s.api('GET', `/terminals/${SERIAL}`)).body?.last_seen);
  s.check(true, 'the enrolled agent polls as itself');

  const again = spawn(process.env.POSFLEET_AGENT, ['-c', config('copy'), 'enroll', code]);
  let refusal = '';
  again.stderr.on('data', (d) => { refusal += d; });
  const exit = await new Promise((r) => again.on('exit', r));
  s.check(exit !== 0 && refusal.includes('already been used'), 'the same code is refused a second time');

  await admin.getByTestId('nav-support').click();
  await admin.getByTestId('merchant-q').fill(FIRST.legal_name);
  await admin.getByTestId('merchant-search').click();
  const merchants = admin.getByTestId('merchant-results');
  await merchants.getByText(SERIAL, { exact: false }).waitFor();
  text = await merchants.textContent();
  s.check(text.includes('138****8000') && !SECRETS.some((x) => text.includes(x)),
          'the terminal appears under the merchant in the console, masked');
  await s.shot(admin, 'merchant-terminal-zh');
  await admin.getByTestId('nav-applications').click();
  await admin.getByTestId('app-filter-activated').click();
  await admin.getByTestId(`app-open-${number}`).click();
  await admin.getByTestId('app-status').getByText('已激活').waitFor();
  s.check(!(await admin.getByTestId('app-activations').textContent()).includes('未使用'), 'the application shows the code used');
  // The terminal is reset: staff issue a new code, with a reason, shown once.
  await admin.getByTestId(`new-code-${SERIAL}`).click();
  await admin.getByTestId('new-code-ok').click();
  await admin.getByText('每次更改都要填写原因').waitFor();
  await admin.getByTestId('new-code-reason').fill('终端已恢复出厂设置');
  await admin.getByTestId('new-code-ok').click();
  let fresh = '';
  await s.expect('a new activation code is shown once',
                 async () => (fresh = ((await admin.getByTestId(`activation-code-${SERIAL}`).textContent()) ?? '').trim()),
                 (v) => /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/.test(v) && v !== code);
  await s.shot(admin, 'review-new-code-zh');
  await closeDrawer(admin);
  await status(phone, url, number, FIRST.phone);
  await phone.locator('[data-testid="status-result"][data-status="activated"]').waitFor();
  s.check(true, 'the applicant sees 已激活');
  await s.shot(phone, 'status-activated-phone-zh');

  // ---- The reject path -------------------------------------------------------
  await admin.getByTestId('nav-applications').click();
  await admin.getByTestId('app-filter-submitted').click();
  await admin.getByTestId(`app-open-${second}`).click();
  await admin.getByTestId('reject-submit').click();
  await admin.getByText('请填写驳回原因，申请人会收到这条短信').waitFor();
  s.check(true, 'a rejection needs a reason');
  await admin.getByTestId('reject-reason').fill(REJECTION);
  await admin.getByTestId('reject-submit').click();
  await admin.getByTestId('app-status').getByText('已驳回').waitFor();
  s.check(smsTo(s, SECOND.phone).at(-1).includes(REJECTION), 'the applicant is sent the reason by SMS');
  await s.shot(admin, 'review-rejected-zh');
  await closeDrawer(admin);

  const reviewTablet = await watched(s, { width: 768, height: 1024 });
  await s.login(reviewTablet);
  await reviewTablet.goto(`${url}/applications`); // at this width the menu folds some pages under "…"

  await reviewTablet.getByTestId('app-filter-all').click();
  await reviewTablet.getByTestId(`app-open-${second}`).waitFor();
  await s.shot(reviewTablet, 'review-queue-tablet-zh');

  await status(phone, url, second, SECOND.phone);
  await phone.locator('[data-testid="status-result"][data-status="rejected"]').waitFor();
  await s.expectText(phone.getByTestId('status-reason'), REJECTION, 'the status page shows the reason');
  await s.shot(phone, 'status-rejected-phone-zh');
  const statusOverflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  s.check(statusOverflow <= 0, `the status page fits a 375 px phone (overflow ${statusOverflow} px)`);
  await status(desk, url, number, FIRST.phone);
  await desk.locator('[data-testid="status-result"][data-status="activated"]').waitFor();
  await s.shot(desk, 'status-activated-zh');

  // ---- Nothing the browser received holds a plain number -----------------------
  await Promise.all(reading.splice(0));
  const leaks = bodies.filter((b) => SECRETS.some((x) => b.text.includes(x)));
  s.check(bodies.filter((b) => b.url.includes('/api/')).length > 30 && leaks.length === 0,
          `no response of ${bodies.length} holds a plain resident ID or card number${leaks.map((b) => ' ' + b.url).join('')}`);
});
