// Browser test: terminals' health (健康状况, docs/console.md "Health") against a real posfleetd
// and real agents on simulated hardware, the server asking for a report at every poll.
//   - A sick terminal (9 % battery off mains, a weak cellular signal, 200 MB free of 8 GB), a
//     healthy one and one that never polls. The sick one's page shows its health card: battery,
//     storage, network and signal, the three conditions as tags and a chart of its history, in
//     Chinese and English.
//   - The list filtered by 电量低 (kept in the URL) shows only the sick one, and its CSV export
//     holds only it; 1 天以上未联网 shows only the silent one, and choosing 在线 drops it from
//     the URL (the server takes one of the two). An organisation's terminal count on the
//     organisations page opens the list of its subtree, named in a tag that clears it.
//   - Charged, on wifi and with room again, the card follows by itself (it reads every 30 s)
//     to 64 % with no condition, and the low-battery list is empty.
// Screenshots in Chinese and English. Run by ctest (label browser) with POSFLEETD, POSFLEET_CLI
// and POSFLEET_AGENT set.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Suite } from './lib.mjs';

const SICK = 'BR-HEALTH-1';
const WELL = 'BR-HEALTH-2';
const SILENT = 'BR-HEALTH-3';

// One simulated hardware reading of a device, written whole (temp + rename) as the agent reads it.
function writeHw(deviceDir, name, value) {
  const dir = join(deviceDir, 'hw');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.tmp`), JSON.stringify(value));
  renameSync(join(dir, `${name}.tmp`), join(dir, name));
}

const suite = new Suite('health');
// However the run goes, it ends: past 8 minutes every process started is stopped.
setTimeout(() => {
  console.log('not ok - the test ran out of time');
  for (const p of suite.processes) p.kill('SIGKILL');
  process.exit(1);
}, 8 * 60 * 1000).unref();

await suite.run(async (s) => {
  // A report with every poll, and every report a history row (the defaults: 15 minutes, an hour).
  await s.startServer(['--health-every-seconds', '1', '--health-history-seconds', '1']);
  const sickDir = join(s.work, `dev-${SICK}`); // where startAgent puts the device
  writeHw(sickDir, 'battery.json', { percent: 9, mains: false });
  writeHw(sickDir, 'network.json', { kind: 'cellular', signal: 12 });
  writeHw(sickDir, 'storage.json', { free_bytes: 209715200, total_bytes: 8589934592 });
  await s.startAgent(SICK);
  await s.startAgent(WELL);
  s.cli('terminal', 'register', '--serial', SILENT, '--model', 'A920'); // never polls
  const health = async (serial) => (await s.api('GET', `/terminals/${serial}/health`)).body;
  await s.expect('the sick terminal reports its health', async () => (await health(SICK)).latest,
                 (l) => l?.battery === 9 && l?.low_storage === true, 60000);
  await s.expect('the healthy terminal reports its health', async () => (await health(WELL)).latest, (l) => !!l, 60000);
  await s.expect('the sick terminal has a history', async () => (await health(SICK)).history.length, (n) => n >= 2, 30000);

  // ---- The terminal's page -------------------------------------------------
  const page = await s.page({ width: 1280, height: 1000 });
  await s.login(page);
  await page.goto(`${s.url}/terminals/${SICK}`);
  const card = page.getByTestId('terminal-health');
  await s.expectAttr(page.getByTestId('health-conditions'), 'data-conditions', 'low_battery low_storage weak_signal',
                     'the card tags the three conditions');
  await s.expectText(page.getByTestId('health-conditions'), (t) => ['电量低', '存储空间不足', '信号弱'].every((w) => t.includes(w)),
                     'in Chinese');
  await s.expectText(page.getByTestId('health-battery'), (t) => t === '9%', 'the battery at 9 %');
  await s.expectText(card, '未接电源', 'not on mains');
  await s.expectText(page.getByTestId('health-storage'), (t) => t === '可用 200 MB，共 8.0 GB（2%）', 'storage free of the whole');
  await s.expectText(page.getByTestId('health-network'), (t) => t === '移动网络，信号 12%', 'a cellular network at 12 %');
  await s.expectText(page.getByTestId('health-apps'), 'release 1.0.0', 'the versions it runs');
  await s.expectText(page.getByTestId('health-time'), (t) => /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d$/.test(t),
                     'the report time in local time');
  await s.expectVisible(page.getByTestId('health-chart'), 'a chart of its history');
  await s.expect('the chart draws the battery at 9 %', () => page.getByTestId('health-chart').evaluate((el) => {
    const series = el.chart?.getOption().series ?? [];
    return JSON.stringify(series.map((x) => ({ name: x.name, last: x.data[x.data.length - 1]?.[1] })));
  }), (v) => v.includes('"name":"电量（%）","last":9') && v.includes('"name":"信号（%）","last":12'));
  await card.scrollIntoViewIfNeeded();
  await s.shot(page, 'terminal-health-zh');

  await page.getByTestId('lang').click();
  await s.expectText(page.getByTestId('health-conditions'), (t) => ['Low battery', 'Low storage', 'Weak signal'].every((w) => t.includes(w)),
                     'the conditions in English');
  await s.expectText(page.getByTestId('health-storage'), (t) => t === '200 MB free of 8.0 GB (2%)', 'storage in English');
  await s.expectText(page.getByTestId('health-network'), (t) => t === 'Cellular, signal 12%', 'network in English');
  await card.scrollIntoViewIfNeeded();
  await s.shot(page, 'terminal-health-en');
  await page.getByTestId('lang').click();
  await s.expectText(page.getByTestId('health-battery'), (t) => t === '9%', 'back in Chinese');

  // ---- The list's filters ----------------------------------------------------
  const list = await s.page();
  await s.login(list);
  await list.goto(`${s.url}/terminals`);
  await s.expectText(list.getByTestId('total'), '共 3 台', 'the list shows the three terminals');
  await s.choose(list, 'filter-health', '电量低');
  await s.expect('the filter is kept in the URL', async () => list.url(), (u) => u.includes('health=low_battery'));
  await s.expectText(list.getByTestId('total'), '共 1 台', 'low battery: one terminal');
  await s.expectCount(list.getByTestId(`terminal-${SICK}`), 1, 'the sick one');
  const [download] = await Promise.all([list.waitForEvent('download', { timeout: 60000 }),
                                        list.getByTestId('export-terminals-csv').click()]);
  const csv = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').trimEnd().split('\r\n');
  s.check(csv.length === 2 && csv[1].startsWith(`${SICK},`), `the export holds only the sick one (${JSON.stringify(csv)})`);
  await s.shot(list, 'list-low-battery-zh');
  await list.reload();
  await s.expectText(list.getByTestId('total'), '共 1 台', 'the filter survives a reload');

  await list.getByTestId('clear-filters').click();
  await s.choose(list, 'filter-not-seen', '1 天以上未联网');
  await s.expectText(list.getByTestId('total'), '共 1 台', 'not seen for a day: one terminal');
  await s.expectCount(list.getByTestId(`terminal-${SILENT}`), 1, 'the one that never polled');
  await s.shot(list, 'list-not-seen-zh');
  await s.choose(list, 'filter-online', '在线');
  await s.expect('online replaces not seen for N days in the URL', async () => list.url(),
                 (u) => u.includes('online=true') && !u.includes('not_seen_days'));
  await s.expectText(list.getByTestId('total'), '共 2 台', 'both polling terminals are online');

  // ---- An organisation's terminals --------------------------------------------
  await list.getByTestId('nav-organisations').click();
  const own = (await s.api('GET', '/organisations')).body.own;
  await s.expectText(list.getByTestId(`org-terminals-${own}`), (t) => t === '3', 'the acquirer holds the three terminals');
  await list.getByTestId(`org-terminals-${own}`).click();
  await s.expect('the count opens the list of its subtree', async () => list.url(), (u) => u.endsWith(`/terminals?organisation=${own}`));
  await s.expectText(list.getByTestId('filter-organisation'), (t) => t === '组织：收单机构（含下级组织）', 'the tag names the organisation');
  await s.expectText(list.getByTestId('total'), '共 3 台', 'and the list shows its terminals');
  await list.getByTestId('lang').click();
  await s.expectText(list.getByTestId('filter-organisation'), (t) => t === 'Organisation: Acquirer (and those below it)',
                     'the tag in English');
  await s.shot(list, 'list-organisation-en');
  await list.getByTestId('lang').click();
  await list.getByTestId('filter-organisation').locator('.ant-tag-close-icon').click();
  await s.expect('its close button clears it', async () => list.url(), (u) => !u.includes('organisation='));
  await s.expectCount(list.getByTestId('filter-organisation'), 0, 'the tag is gone');

  // ---- Healthy again -------------------------------------------------------------
  writeHw(sickDir, 'battery.json', { percent: 64, mains: true });
  writeHw(sickDir, 'network.json', { kind: 'wifi', signal: 90 });
  writeHw(sickDir, 'storage.json', { free_bytes: 3221225472, total_bytes: 8589934592 });
  // The page is not reloaded: the card reads again every 30 s.
  await s.expectText(page.getByTestId('health-battery'), (t) => t === '64%', 'the card follows to 64 % by itself', 90000);
  await s.expectAttr(page.getByTestId('health-conditions'), 'data-conditions', '', 'with no condition');
  await s.expectText(page.getByTestId('health-conditions'), (t) => t === '无异常', 'saying so');
  await s.expectText(card, '充电中', 'charging');
  await s.expectText(page.getByTestId('health-network'), (t) => t === 'Wi-Fi，信号 90%', 'on wifi at 90 %');
  await s.expectText(page.getByTestId('health-storage'), (t) => t === '可用 3.0 GB，共 8.0 GB（38%）', 'with room again');
  await card.scrollIntoViewIfNeeded();
  await s.shot(page, 'terminal-healthy-zh');
  await page.getByTestId('lang').click();
  await s.expectText(page.getByTestId('health-conditions'), (t) => t === 'No problems', 'no problems, in English');
  await card.scrollIntoViewIfNeeded();
  await s.shot(page, 'terminal-healthy-en');

  await list.goto(`${s.url}/terminals?health=low_battery`);
  await s.expectText(list.locator('.ant-table-tbody'), '没有符合筛选条件的终端', 'the low-battery list is empty');
  await s.expectCount(list.getByTestId(`terminal-${SICK}`), 0, 'the terminal is no longer in it');
  await s.shot(list, 'list-low-battery-empty-zh');
});
