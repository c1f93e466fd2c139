// Browser test: organisations (组织). The acquirer's administrator adds a reseller and a
// merchant below it on the organisations page (the tree drawn indented); terminals are given to
// them with the CLI. A user of the reseller then logs in: the console offers only the pages that
// keep to its subtree, names its organisation in the header, and the terminal list shows its own
// terminals only, in Chinese and in English.
// Run by ctest (label browser) with POSFLEETD and POSFLEET_CLI set.
import { Suite } from './lib.mjs';

await new Suite('organisations').run(async (s) => {
  await s.startServer();
  for (const serial of ['BR-ORG-EAST', 'BR-ORG-HQ']) s.cli('terminal', 'register', '--serial', serial, '--model', 'A920');
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

  s.cli('terminal', 'move', 'BR-ORG-EAST', '--org', String(shop.id), '--reason', '签约');
  const r = await s.api('POST', '/users', { name: 'east-ops', role: 'release_manager', password: 'east-ops-password-1',
    organisation: east.id });
  s.check(r.status === 201, 'a user of the reseller is made');

  const theirs = await s.page();
  await s.login(theirs, 'east-ops', 'east-ops-password-1');
  await s.expectText(theirs.getByTestId('me-organisation'), '华东代理', 'the header names the organisation');
  s.check(await theirs.getByTestId('nav-overview').count() === 0, 'no fleet-wide overview for a reseller');
  s.check(await theirs.getByTestId('nav-releases').count() === 0, 'nor the releases page');
  await theirs.getByTestId('nav-terminals').click();
  await theirs.getByTestId('terminal-BR-ORG-EAST').waitFor();
  await s.expectText(theirs.getByTestId('total'), '1', 'one terminal in all');
  s.check(await theirs.getByTestId('terminal-BR-ORG-HQ').count() === 0, "the acquirer's own terminal is not listed");
  await s.shot(theirs, 'reseller-terminals');
  await theirs.getByTestId('nav-organisations').click();
  await s.expectText(theirs.getByTestId('organisations'), '西湖茶馆', 'its merchant is listed');
  await theirs.getByTestId('lang').click();
  await s.expectText(theirs.getByTestId(`org-${east.id}`), '华东代理 (yours)', 'in English, its own marked');
});
