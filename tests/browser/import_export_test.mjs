// Browser test: importing terminals from a file and exporting lists (docs/import-export.md)
// against a real posfleetd.
//   - An administrator opens 导入终端 on the terminal list (a support agent does not see it),
//     chooses a CSV file with Chinese headers and two bad rows: each problem is shown by the
//     file's line and field, in Chinese, and nothing is registered. A file of 10,001 rows is
//     refused before anything is sent; a 10,000-row .xlsx passes a dry run (read in the
//     browser's worker).
//   - The corrected file as .xlsx (made here by write-excel-file) is checked, imported; the
//     tokens download once as serial,token and work for DDI; the list shows the terminals.
//   - The filtered list is exported to CSV (byte-order mark, Chinese headers, the rows) and to
//     .xlsx (read back by read-excel-file), a release's deployment progress to CSV and .xlsx,
//     and the audit query to .xlsx — again in English, headers in English.
// Screenshots in Chinese and English. Run by ctest (label browser) with POSFLEETD, POSFLEET_CLI
// and POSFLEET_AGENT set; from console/ (its node_modules hold the spreadsheet libraries).
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Suite } from './lib.mjs';

const require = createRequire(join(process.cwd(), 'package.json'));
const { default: writeXlsxFile } = await import(require.resolve('write-excel-file/node'));
const { readSheet } = await import(require.resolve('read-excel-file/node'));

const suite = new Suite('import_export');
// However the run goes, it ends: past 8 minutes every process started is stopped.
setTimeout(() => {
  console.log('not ok - the test ran out of time');
  for (const p of suite.processes) p.kill('SIGKILL');
  process.exit(1);
}, 8 * 60 * 1000).unref();

await suite.run(async (s) => {
  await s.startServer();
  await s.user('sam', 'support');
  const count = async (query) => (await s.api('GET', `/terminals?${query}`)).body.total;
  const write = (name, data) => {
    writeFileSync(join(s.work, name), data);
    return join(s.work, name);
  };
  // Clicks `testId` and returns the downloaded file: its name and bytes.
  const download = async (page, testId) => {
    const [d] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), page.getByTestId(testId).click()]);
    return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
  };

  // ---- Only roles that may register terminals see the import --------------
  const support = await s.page();
  await s.login(support, 'sam', 'sam-password-1');
  await support.goto(s.url + '/terminals');
  await support.getByTestId('export-terminals-csv').waitFor();
  await s.expectCount(support.getByTestId('import-open'), 0, 'a support agent sees no import button, but may export');

  const page = await s.page();
  await s.login(page);
  await page.goto(s.url + '/terminals');
  await page.getByTestId('import-open').click();
  const drawer = page.getByTestId('import-drawer');
  await drawer.getByTestId('import-columns').waitFor();
  const fileInput = drawer.locator('input[type=file]');

  // ---- A CSV with bad rows: each problem by line and field, nothing registered.
  const bad = write('terminals.csv',
    '\uFEFF序列号,型号,分组,时区\r\n' +
    'IMP001,A920,东区,Asia/Shanghai\r\n' +
    'IMP002,A920,,Mars/Olympus\r\n' +
    '\r\n' +
    'IMP001,S300,"西区, 二号",\r\n' +
    'IMP003,,,\r\n');
  await fileInput.setInputFiles(bad);
  await drawer.getByTestId('import-problems').waitFor();
  await s.expectText(drawer.getByTestId('problem-3-time_zone'), '不认识的时区', 'line 3: the unknown time zone, in Chinese');
  await s.expectText(drawer.getByTestId('problem-5-serial'), '与第 2 行的序列号重复',
                     'line 5 (after a blank line, as the CLI counts): the serial repeats line 2');
  await s.expectText(drawer.getByTestId('problem-6-model'), '缺少型号', 'line 6: the model is missing');
  await s.expectText(drawer.getByTestId('problem-5-serial'), '序列号', 'the field is named in Chinese');
  await s.expectText(drawer.getByTestId('import-problems-note'), '3 处问题', 'three problems, and nothing will be imported');
  s.check((await drawer.getByTestId('import-apply').count()) === 0, 'with problems there is nothing to apply');
  s.check((await count('q=IMP')) === 0, 'nothing was registered');
  await s.shot(page, 'import-problems-zh');

  // ---- Limits: more rows than the server takes is refused before sending -----
  const tooMany = write('too-many.csv', `serial,model\n${Array.from({ length: 10001 }, (_, i) => `X${i},A920\n`).join('')}`);
  let posted = 0;
  const countPosts = (r) => { if (r.url().includes('/terminals/import')) posted++; };
  page.on('request', countPosts);
  await fileInput.setInputFiles(tooMany);
  await s.expectText(drawer.getByTestId('import-error'), '一次最多导入 10,000 行', '10,001 rows are refused with the limit');
  page.off('request', countPosts);
  s.check(posted === 0, 'the refused file was never sent');

  // ---- 10,000 rows as .xlsx: read in the worker, a clean dry run -----------
  const big = await writeXlsxFile([['serial', 'model', 'group'],
    ...Array.from({ length: 10000 }, (_, i) => [`BIG${String(i).padStart(5, '0')}`, 'A920', `group-${i % 7}`])]).toBuffer();
  await fileInput.setInputFiles(write('big.xlsx', big));
  await s.expectText(drawer.getByTestId('import-ok'), '10000 台终端可以导入', 'a 10,000-row .xlsx passes the dry run', 60000);
  s.check((await count('q=BIG')) === 0, 'a dry run registers nothing');

  // ---- A file that is not an .xlsx: a clear error --------------------------
  await fileInput.setInputFiles(write('broken.xlsx', Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(3000)])));
  await s.expectText(drawer.getByTestId('import-error'), '无法读取这个 Excel 文件', 'a damaged .xlsx is refused with a reason');

  // ---- The corrected file as .xlsx: checked, imported, tokens once ---------
  const rows = [
    ['IMP001', 'A920', '东区', 'Asia/Shanghai', 'x'],
    ['IMP002', 'A920', null, 'Europe/Berlin', null],
    ['IMP003', 'S300', '西区, 二号', null, '=1+1'],
  ];
  // "Serial" is no column the CLI knows (names are matched exactly, once trimmed): refused.
  const wrong = await writeXlsxFile([['Serial', 'model', 'group', 'time_zone', 'notes'], ...rows]).toBuffer();
  await fileInput.setInputFiles(write('wrong-header.xlsx', wrong));
  await s.expectText(drawer.getByTestId('import-error'), '第 1 行须为表头', 'a header without the serial column is refused');
  const fixed = await writeXlsxFile([[' serial ', 'model', 'group', 'time_zone', 'notes'], ...rows]).toBuffer();
  await fileInput.setInputFiles(write('terminals.xlsx', fixed));
  await s.expectText(drawer.getByTestId('import-ok'), '3 台终端可以导入', 'the corrected .xlsx passes the check');
  await s.shot(page, 'import-checked-zh');
  await drawer.getByTestId('import-apply').click();
  await s.expectText(drawer.getByTestId('import-done'), '已导入 3 台终端', 'three terminals imported');
  await s.expectText(drawer.getByTestId('import-tokens-warning'), '只在这里提供这一次', 'the tokens are offered once, with a warning');
  s.check(!(await drawer.textContent()).match(/[A-Za-z0-9_-]{32,}/), 'no token is shown on the page');
  await s.shot(page, 'import-done-zh');
  const tokens = await download(page, 'import-tokens');
  const lines = tokens.bytes.toString('utf8').trim().split('\n');
  s.check(lines[0] === 'serial,token' && lines.length === 4 && lines.slice(1).every((l) => /^IMP00[123],\S+$/.test(l)),
          `the token file is serial,token for the three (${tokens.name})`);
  const token = lines.find((l) => l.startsWith('IMP002,')).split(',')[1];
  const poll = await fetch(`${s.url}/DEFAULT/controller/v1/IMP002`, { headers: { Authorization: `TargetToken ${token}` } });
  s.check(poll.status === 200, 'a downloaded token works for the terminal\'s DDI poll');
  const view = (await s.api('GET', '/terminals/IMP003')).body;
  s.check(view.group === '西区, 二号' && view.model === 'S300', 'the group with a comma and the model arrived as written');
  s.check((await s.api('GET', '/terminals/IMP002')).body.time_zone === 'Europe/Berlin', 'the time zone arrived');
  await drawer.getByTestId('import-another').click();
  await drawer.getByTestId('import-columns').waitFor();
  await page.keyboard.press('Escape');
  await s.expectCount(page.getByTestId('import-drawer').locator('.ant-drawer-body:visible'), 0, 'the drawer closes');

  // ---- The list, filtered, exported to CSV and .xlsx ------------------------
  await page.goto(s.url + '/terminals?q=IMP');
  await s.expectText(page.getByTestId('total'), '共 3 台', 'the list shows the three imported terminals');
  const csv = await download(page, 'export-terminals-csv');
  const csvText = csv.bytes.toString('utf8');
  const csvLines = csvText.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
  s.check(csv.bytes[0] === 0xef && csv.bytes[1] === 0xbb && csv.bytes[2] === 0xbf, 'the CSV starts with a byte-order mark');
  s.check(csvLines[0].startsWith('序列号,商户,型号,版本,分组,自动更新,更新状态,最近联网（Asia/Shanghai）'),
          `the CSV headers are Chinese, times in the reader's zone (${csvLines[0]})`);
  s.check(csvLines.length === 4 && csvLines[3].startsWith('IMP003,,S300,,"西区, 二号",开启,无更新,从未联网'),
          `the CSV holds the filtered rows, quoted as RFC 4180 (${csvLines[3]})`);
  s.check(/^posfleet-terminals-\d{4}-\d\d-\d\d\.csv$/.test(csv.name), `the CSV is named for the day (${csv.name})`);
  await s.expectText(page.getByTestId('export-terminals-done'), '已导出 3 行', 'the page says how many rows were exported');
  const xlsx = await download(page, 'export-terminals-xlsx');
  const sheet = await readSheet(xlsx.bytes);
  s.check(sheet.length === 4 && sheet[0][0] === '序列号' && sheet[1][0] === 'IMP001' && sheet[3][4] === '西区, 二号',
          `the .xlsx reads back with Chinese headers and the rows (${JSON.stringify(sheet[3])})`);
  await s.shot(page, 'terminals-export-zh');

  // ---- A release's deployment progress exported -----------------------------
  s.cli('key', 'generate', '--out', join(s.work, 'release'));
  writeFileSync(join(s.work, 'os-1.1.0.bin'), randomBytes(20000));
  s.cli('release', 'create', '--dir', 'rel-1.1.0', '--version', '1.1.0', '--model', 'A920',
        '--component', 'os=os-1.1.0.bin');
  s.cli('release', 'sign', '--dir', 'rel-1.1.0', '--key', 'release.key');
  s.cli('release', 'publish', '--dir', 'rel-1.1.0');
  for (const t of ['IMP001', 'IMP002']) s.cli('deploy', '--release', '1.1.0', '--terminal', t);
  await page.goto(s.url + '/deployments');
  await page.getByTestId('progress-rows').waitFor();
  await s.expectAttr(page.getByTestId('count-scheduled'), 'data-count', '2', 'two deployments are scheduled');
  const progressCsv = (await download(page, 'export-progress-csv')).bytes.toString('utf8').replace(/^\uFEFF/, '');
  const progressLines = progressCsv.trimEnd().split('\r\n');
  s.check(progressLines[0].startsWith('终端,状态,阶段,进度,最新消息,更新时间（Asia/Shanghai）') && progressLines.length === 3 &&
          progressLines.slice(1).every((l) => /^IMP00[12],已安排,/.test(l)),
          `the progress CSV lists both deployments in Chinese (${JSON.stringify(progressLines)})`);
  const progressXlsx = await readSheet((await download(page, 'export-progress-xlsx')).bytes);
  s.check(progressXlsx.length === 3 && progressXlsx[0][0] === '终端', 'the progress .xlsx reads back');

  // ---- The audit query exported to .xlsx ------------------------------------
  await page.goto(s.url + '/audit');
  await page.getByTestId('audit-terminal').fill('IMP003');
  await page.getByTestId('audit-filter').click();
  await s.expectText(page.getByTestId('audit-total'), '1', 'the audit query narrows to the terminal');
  const auditSheet = await readSheet((await download(page, 'export-audit-xlsx')).bytes);
  s.check(auditSheet[0][0] === '#' && auditSheet[0].includes('操作') && auditSheet.length === 2 &&
          auditSheet[1].includes('注册终端') && auditSheet[1].includes('终端 IMP003'),
          `the audit .xlsx holds the query's entry in Chinese (${JSON.stringify(auditSheet[1])})`);
  s.check((await page.getByTestId('export-csv').count()) === 1, 'the server\'s CSV export is still offered');

  // ---- In English -----------------------------------------------------------
  await page.getByTestId('lang').click();
  await page.goto(s.url + '/terminals?q=IMP');
  await s.expectText(page.getByTestId('import-open'), 'Import terminals', 'the import button in English');
  const xlsxEn = await readSheet((await download(page, 'export-terminals-xlsx')).bytes);
  s.check(xlsxEn[0].slice(0, 3).join() === 'Serial,Merchant,Model' && xlsxEn[3][6] === 'No update' && xlsxEn.length === 4,
          `the .xlsx is in English (${JSON.stringify(xlsxEn[0])}, ${JSON.stringify(xlsxEn[3])})`);
  await page.getByTestId('import-open').click();
  await fileInput.setInputFiles(bad);
  await s.expectText(drawer.getByTestId('problem-5-serial'), 'the same serial as line 2', 'problems are worded in English');
  await s.expectText(drawer.getByTestId('problem-5-serial'), 'serial', 'the field is named in English');
  await s.shot(page, 'import-problems-en');
  await page.keyboard.press('Escape');
  await page.goto(s.url + '/audit');
  await page.getByTestId('audit-terminal').fill('IMP003');
  await page.getByTestId('audit-filter').click();
  const auditEn = await readSheet((await download(page, 'export-audit-xlsx')).bytes);
  s.check(auditEn[0].includes('Action') && auditEn[1].includes('Terminal registered'),
          `the audit .xlsx in English (${JSON.stringify(auditEn[1])})`);
  await s.shot(page, 'audit-export-en');
});
