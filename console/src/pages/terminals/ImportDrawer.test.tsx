// Importing terminals from a file: the header maps English or Chinese column names as the
// CLI does, rows carry the file's line numbers, limits are checked before anything is sent;
// the drawer shows each problem by line and field in the reader's language and sends nothing
// more, or imports on request and offers the tokens once.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import i18n from '../../i18n';
import { parseCsv } from '../../common/sheets';
import ImportDrawer from './ImportDrawer';
import { importRows, MAX_IMPORT_ROWS, tokensCsv } from './importFile';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });

describe('import rows', () => {
  it('map English or Chinese headers in any order, with the lines of the file', () => {
    const rows = importRows(parseCsv('\uFEFF型号, serial ,notes,时区\nA920,PF1,x,Asia/Shanghai\n\n S300 ,PF2,,\n,,,\n'));
    expect(rows).toEqual({
      rows: [
        { line: 2, model: 'A920', serial: 'PF1', time_zone: 'Asia/Shanghai' },
        { line: 4, model: ' S300 ', serial: 'PF2' },
        { line: 5 },
      ],
    });
  });

  it('refuse a file without the serial and model columns, an empty one, and one too long', () => {
    expect(importRows(parseCsv('\n\nserial,name\nPF1,x'))).toEqual({ problem: { code: 'noHeader', line: 3 } });
    expect(importRows([])).toEqual({ problem: { code: 'empty' } });
    expect(importRows(parseCsv('serial,model\n'))).toEqual({ problem: { code: 'empty' } });
    const many = `serial,model\n${'PF,A\n'.repeat(MAX_IMPORT_ROWS + 1)}`;
    expect(importRows(parseCsv(many))).toEqual({ problem: { code: 'tooManyRows', rows: MAX_IMPORT_ROWS + 1, max: MAX_IMPORT_ROWS } });
    // The server's bound is 1,000 bytes of UTF-8: 334 Chinese characters are over it.
    expect(importRows(parseCsv(`serial,model,group\nPF1,A920,${'东'.repeat(334)}`)))
      .toEqual({ problem: { code: 'tooLong', line: 2, field: 'group', max: 1000 } });
  });

  it('write the tokens as the CLI does', () => {
    expect(tokensCsv([{ serial: 'PF1', token: 't1' }])).toBe('serial,token\nPF1,t1\n');
  });
});

describe('import drawer', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    void i18n.changeLanguage('zh-CN');
  });

  const choose = (content: string, name: string) => {
    const input = document.querySelector('[data-testid="import-drawer"] input[type=file]') as HTMLInputElement;
    fireEvent.change(input, { target: { files: [new File([content], name, { type: 'text/csv' })] } });
  };
  const open = () =>
    render(
      <MemoryRouter>
        <ImportDrawer open onClose={() => undefined} />
      </MemoryRouter>,
    );

  it('shows each problem by line and field, in Chinese, and imports nothing', async () => {
    const bodies: unknown[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (_url, init) => {
      bodies.push(JSON.parse(String(init?.body)));
      return json({
        dry_run: true, applied: false, rows: 2, terminals: [],
        problems: [{ line: 3, field: 'serial', code: 'duplicate',
                     message: { 'zh-CN': '与第 2 行的序列号重复', en: 'the same serial as line 2' } }],
      });
    });
    open();
    choose('序列号,型号\nPF1,A920\nPF1,A920\n', 'terminals.csv');
    const row = await screen.findByTestId('problem-3-serial');
    expect(row.textContent).toContain('3');
    expect(row.textContent).toContain('序列号');
    expect(row.textContent).toContain('与第 2 行的序列号重复');
    expect(screen.getByTestId('import-problems-note').textContent).toContain('一台也不会导入');
    expect(screen.queryByTestId('import-apply')).toBeNull();
    expect(bodies).toEqual([{ dry_run: true, rows: [{ line: 2, serial: 'PF1', model: 'A920' },
                                                     { line: 3, serial: 'PF1', model: 'A920' }] }]);
  });

  it('says in English why a file cannot be read, sending nothing', async () => {
    await act(() => i18n.changeLanguage('en'));
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    open();
    choose('serial,model\nPF1,"A920\n', 'terminals.csv');
    expect((await screen.findByTestId('import-error')).textContent).toContain('A quote is not closed (from line 2)');
    choose('name,model\nPF1,A920\n', 'terminals.csv');
    await waitFor(() => expect(screen.getByTestId('import-error').textContent).toContain('Line 1 must be the header'));
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('imports after a clean dry run and offers the tokens once', async () => {
    const sent: { dry_run: boolean }[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (_url, init) => {
      const body = JSON.parse(String(init?.body));
      sent.push(body);
      return json({ dry_run: body.dry_run, applied: !body.dry_run, rows: 1, problems: [],
                    terminals: body.dry_run ? [] : [{ serial: 'PF9', token: 'secret-token' }] });
    });
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => { created.push(b); return 'blob:x'; });
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    open();
    choose('serial,model\nPF9,A920\n', 'one.csv');
    fireEvent.click(await screen.findByTestId('import-apply'));
    await screen.findByTestId('import-done');
    expect(sent.map((b) => b.dry_run)).toEqual([true, false]);
    expect(within(screen.getByTestId('import-registered')).getByText('PF9')).toBeTruthy();
    // The token is not on the page; it is in the file.
    expect(document.body.textContent).not.toContain('secret-token');
    fireEvent.click(screen.getByTestId('import-tokens'));
    expect(click).toHaveBeenCalled();
    expect(await created[0].text()).toBe('serial,token\nPF9,secret-token\n');
    expect(screen.getByTestId('import-tokens-saved')).toBeTruthy();
  });
});
