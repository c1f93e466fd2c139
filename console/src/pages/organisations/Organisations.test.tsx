// The organisations page: the tree indented by depth with each one's own terminals, the caller's
// own marked, in both languages; administrators add below a chosen parent (merchants are not
// offered as parents) and see the server's refusal in words; other roles only read. Each count
// opens the terminal list of that organisation's subtree.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import i18n from '../../i18n';
import Organisations from './Organisations';
import { fakeServer, json } from '../rollouts/fixtures';

const organisations = [
  { id: 1, parent: null, kind: 'acquirer', name: '', depth: 0, terminals: 3, created_by: '' },
  { id: 2, parent: 1, kind: 'reseller', name: '华东代理', depth: 1, terminals: 0, created_by: 'admin' },
  { id: 4, parent: 2, kind: 'merchant', name: '西湖茶馆', depth: 2, terminals: 5, created_by: 'admin' },
];

const show = (role: string) => render(<MemoryRouter><Organisations me={{ name: role, role }} /></MemoryRouter>);

describe('organisations', { timeout: 60000 }, () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await i18n.changeLanguage('zh-CN');
  });

  it('draws the tree with each one\'s own terminals, in both languages', async () => {
    fakeServer((c) => (c.url.endsWith('/organisations') ? json({ own: 1, organisations }) : undefined));
    const { unmount } = show('auditor');
    const shop = await screen.findByTestId('org-4');
    expect(shop.textContent).toBe('西湖茶馆');
    expect(shop.style.paddingLeft).toBe('40px');
    expect(screen.getByTestId('org-1').textContent).toBe('收单机构（你的组织）');
    expect(screen.getByTestId('organisations').textContent).toContain('代理商');
    expect(screen.queryByTestId('org-form')).toBeNull();
    expect(screen.getByTestId('org-read-only')).toBeTruthy();
    expect(screen.getByTestId('org-terminals-4').textContent).toBe('5');
    expect(screen.getByTestId('org-terminals-4').getAttribute('href')).toBe('/terminals?organisation=4');
    unmount();
    await i18n.changeLanguage('en');
    show('auditor');
    expect((await screen.findByTestId('org-1')).textContent).toBe('Acquirer (yours)');
    expect(screen.getByTestId('organisations').textContent).toContain('Merchant');
  });

  it('lets an administrator add one below a parent and shows a refusal in words', async () => {
    const posted: unknown[] = [];
    fakeServer((c) => {
      if (c.method === 'POST' && c.url.endsWith('/organisations')) {
        posted.push(c.body);
        if (posted.length === 2)
          return json({ error: { code: 'conflict', message: 'reseller 2 华东代理 already has an organisation named 杭州' } }, 409);
        return json({ id: 5, parent: 2, kind: 'merchant', name: '杭州', depth: 2, created_by: 'admin' }, 201);
      }
      return c.url.endsWith('/organisations') ? json({ own: 1, organisations }) : undefined;
    });
    show('admin');
    await screen.findByTestId('org-4');
    fireEvent.change(screen.getByTestId('org-name').querySelector('input') ?? screen.getByTestId('org-name'), { target: { value: '杭州' } });
    fireEvent.click(screen.getByTestId('org-kind-merchant'));
    fireEvent.mouseDown(screen.getByTestId('org-parent').querySelector('.ant-select-selector') ?? screen.getByTestId('org-parent'));
    const options = await screen.findAllByRole('option');
    expect(options.map((o) => o.textContent)).not.toContain('西湖茶馆');
    fireEvent.click(await screen.findByTitle('华东代理'));
    fireEvent.click(screen.getByTestId('org-add'));
    await screen.findByTestId('org-notice');
    expect(posted[0]).toEqual({ name: '杭州', kind: 'merchant', parent: 2 });
    fireEvent.change(screen.getByTestId('org-name').querySelector('input') ?? screen.getByTestId('org-name'), { target: { value: '杭州' } });
    fireEvent.click(screen.getByTestId('org-add'));
    await waitFor(() => expect(screen.getByTestId('org-error').textContent).not.toBe(''));
  });
});
