// Browser test: parameters (参数下发). A template is made with the API (a merchant number with
// a pattern, a category code to choose, a timeout with a range and a default, tips on or off, a
// sensitive master key). The administrator sets values at a reseller on the parameters page: a
// wrong merchant number is refused before sending, the preview on the reseller's terminal shows
// each value's source before and after, and the saved values are shown, the master key only as
// set — what was typed never appears on any page. The terminal (a real agent) applies the set
// and its page says so. Screenshots in Chinese and in English.
// Run by ctest (label browser) with POSFLEETD, POSFLEET_CLI and POSFLEET_AGENT set.
import { Suite } from './lib.mjs';

const SECRET = 'TMK-7f3a9c2e51d04b86';
const SERIAL = 'BR-PARAM-1';

const template = {
  app: 'payment',
  name: '支付应用',
  fields: [
    { key: 'merchant_no', type: 'string', label: { 'zh-CN': '商户号', en: 'Merchant number' }, max_length: 15,
      pattern: '[0-9]{15}' },
    { key: 'mcc', type: 'enum', label: { 'zh-CN': '商户类别码', en: 'Merchant category code' },
      values: ['5411', '5812', '5999'] },
    { key: 'timeout', type: 'integer', label: { 'zh-CN': '交易超时（秒）', en: 'Transaction timeout (s)' }, min: 10,
      max: 120, default: 60 },
    { key: 'tips', type: 'boolean', label: { 'zh-CN': '允许小费', en: 'Tips allowed' }, default: false },
    { key: 'tmk', type: 'string', label: { 'zh-CN': '终端主密钥', en: 'Terminal master key' }, sensitive: true,
      max_length: 64 },
  ],
};

await new Suite('parameters').run(async (s) => {
  await s.startServer();
  const made = await s.api('POST', '/parameters/templates', template);
  s.check(made.status === 201, `the template is made (${made.status})`);
  const own = (await s.api('GET', '/organisations')).body.own;
  const east = await s.api('POST', '/organisations', { name: '华东代理', kind: 'reseller', parent: own });
  s.check(east.status === 201, 'a reseller is added');
  await s.startAgent(SERIAL);
  s.cli('terminal', 'move', SERIAL, '--org', String(east.body.id), '--reason', '签约');

  const page = await s.page();
  await s.login(page);
  await page.getByTestId('nav-parameters').click();
  await s.expectText(page.getByTestId('param-level-title'), '收单机构', "the acquirer's own values first");
  await s.choose(page, 'param-org', '华东代理');
  await page.getByTestId('param-show').click();
  await s.expectText(page.getByTestId('param-level-title'), '组织 华东代理 的值', "the reseller's values");
  await s.expectText(page.getByTestId('param-label-timeout'), '交易超时（秒）', 'labels in Chinese');
  await s.expectText(page.getByTestId('param-values'), '10 到 120；默认 60', "each field's rules");

  await page.getByTestId('param-input-merchant_no').fill('12345');
  await s.expectText(page.getByTestId('param-problem-merchant_no'), '格式不符', 'a wrong merchant number is refused');
  s.check(await page.getByTestId('param-preview').isDisabled(), 'nothing is sent while a value is wrong');
  await page.getByTestId('param-input-merchant_no').fill('310330153110001');
  await s.choose(page, 'param-input-mcc', '5812');
  await page.getByTestId('param-input-timeout').fill('90');
  await page.getByTestId('param-input-tips').click();
  s.check(await page.getByTestId('param-input-tmk').getAttribute('type') === 'password', 'the key is typed unseen');
  await page.getByTestId('param-input-tmk').fill(SECRET);
  await page.getByTestId('param-lock-timeout').click();
  await page.getByTestId('param-reason').fill('华东代理签约');
  await s.expectText(page.getByTestId('param-count'), '5 项', 'five changes wait to be saved');

  await page.getByTestId('param-preview').click();
  await page.getByTestId('preview-serial').fill(SERIAL);
  await page.getByTestId('preview-run').click();
  await s.expectText(page.getByTestId('preview-before-timeout'), '模板默认值', 'before: the default timeout');
  await s.expectText(page.getByTestId('preview-after-timeout'), '组织 华东代理', "after: the reseller's timeout");
  await s.expectText(page.getByTestId('preview-after-timeout'), '90', 'after: 90 seconds');
  await s.expectText(page.getByTestId('preview-after-tmk'), '已设置', 'after: the key only as set');
  await s.shot(page, 'preview');
  await page.getByTestId('preview-save').click();
  await s.expectText(page.getByTestId('param-notice'), '已保存', 'saved');
  await s.expectText(page.getByTestId('param-current-merchant_no'), '310330153110001', 'the table shows the value');
  await s.expectText(page.getByTestId('param-current-timeout'), '已锁定', 'and the lock');
  await s.expectText(page.getByTestId('param-current-tmk'), '已设置', 'the key shown only as set');
  s.check(await page.getByTestId('param-input-tmk').inputValue() === '', 'the key box is empty after saving');
  const html = async () => page.content();
  s.check(!(await html()).includes(SECRET), 'the page never holds the key');
  await s.shot(page, 'parameters-zh');

  const values = await s.api('GET', `/parameters/values/payment?level=org&organisation=${east.body.id}`);
  const tmk = values.body.values.find((v) => v.key === 'tmk');
  s.check(tmk && tmk.set && tmk.value === null, 'the API says the key is set, never what it is');
  s.check(!JSON.stringify(values.body).includes(SECRET), 'the API never returns the key');

  // The terminal gets the set at its next poll and says it applied it.
  await page.goto(`${s.url}/terminals/${SERIAL}`);
  await s.expectText(page.getByTestId('param-app-payment'), '组织 华东代理', "the terminal's page shows the sources");
  await s.expectText(page.getByTestId('param-applied-payment'), '已应用', 'the terminal applied the set', 60000);
  s.check(!(await html()).includes(SECRET), "the terminal's page never holds the key");
  await s.shot(page, 'terminal-zh');

  await page.getByTestId('nav-audit').click();
  await s.expectText(page.locator('body'), '修改参数', 'the audit log words the change');
  s.check(!(await html()).includes(SECRET), 'nor does the audit log');

  await page.getByTestId('lang').click();
  await page.getByTestId('nav-parameters').click();
  await s.expectText(page.getByTestId('param-label-timeout'), 'Transaction timeout (s)', 'labels in English');
  await s.choose(page, 'param-org', '华东代理');
  await page.getByTestId('param-show').click();
  await s.expectText(page.getByTestId('param-level-title'), 'Values of organisation 华东代理', "the reseller's values in English");
  await s.expectText(page.getByTestId('param-current-tmk'), (t) => t === 'set', 'the key shown only as set, in English');
  await s.expectText(page.getByTestId('param-values'), '10 to 120; default 60', 'the rules in English');
  await s.shot(page, 'parameters-en');
  await page.goto(`${s.url}/terminals/${SERIAL}`);
  await s.expectText(page.getByTestId('param-applied-payment'), 'Applied', "the terminal's page in English");
  await s.shot(page, 'terminal-en');
  s.check(!(await html()).includes(SECRET), 'no page ever held the key');
});
