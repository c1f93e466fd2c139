// Exports read a list page by page up to their cap, say so when the cap cut them, and hand
// the browser a CSV or .xlsx file; the terminal list's export asks with the list's filters.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import i18n from '../i18n';
import ExportButtons, { EXPORT_MAX_ROWS, pageThrough } from './ExportButtons';
import { collectTerminals, terminalsPath } from '../pages/terminals/exportTerminals';
import { deploymentState } from '../pages/deployments/exportProgress';

describe('pageThrough', () => {
  it('reads pages until the last, reporting rows so far', async () => {
    const seen: number[] = [];
    const got = await pageThrough<number>(async (cursor) => {
      const from = Number(cursor ?? 0);
      const rows = Array.from({ length: Math.min(3, 7 - from) }, (_, i) => from + i);
      return { rows, total: 7, cursor: from + 3 < 7 ? String(from + 3) : null };
    }, (n) => seen.push(n), () => false);
    expect(got).toEqual({ rows: [0, 1, 2, 3, 4, 5, 6], total: 7, cut: false });
    expect(seen).toEqual([3, 6, 7]);
  });

  it('stops at the cap and says it was cut', async () => {
    const next = vi.fn(async (cursor: string | null) => ({ rows: [1, 2, 3, 4], total: 20, cursor: String(Number(cursor ?? 0) + 4) }));
    const got = await pageThrough(next, () => undefined, () => false, 10);
    expect(got.rows.length).toBe(10);
    expect(got.cut).toBe(true);
    expect(next).toHaveBeenCalledTimes(3);
    expect(EXPORT_MAX_ROWS).toBe(100_000);
  });
});

describe('exports of the pages', () => {
  it('page the terminal list with its filters, a thousand after the last serial', () => {
    expect(terminalsPath({ model: 'A920', q: '茶' }, null)).toBe('/terminals?model=A920&q=%E8%8C%B6&offset=0&limit=1000');
    expect(terminalsPath({ state: 'failed' }, 'PF0999')).toBe('/terminals?state=failed&after=PF0999&limit=1000');
  });

  it('word the list in the reader\'s language, times in the reader\'s zone', async () => {
    const t = i18n.getFixedT('zh-CN', 'terminals');
    const tc = i18n.getFixedT('zh-CN');
    vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(new Response(JSON.stringify({
      total: 1,
      terminals: [{ serial: 'PF1', model: 'A920', installed_version: '2.0.0', group: '东区', merchant_id: 3, merchant: '茶馆',
                    mode: 'never', state: 'failed', last_seen: null, retired: null }],
    })));
    const got = await collectTerminals({ mode: 'never' }, t, tc, 'zh-CN')(() => undefined, () => false);
    expect(got.table.header.slice(0, 7)).toEqual(['序列号', '商户', '型号', '版本', '分组', '自动更新', '更新状态']);
    expect(got.table.header[7]).toMatch(/^最近联网（.+）$/);
    expect(got.table.rows).toEqual([['PF1', '茶馆', 'A920', '2.0.0', '东区', '永不', '失败', '从未联网', '']]);
    vi.restoreAllMocks();
  });

  it('give a deployment the state the server gives it', () => {
    expect(['scheduled', 'running', 'canceling', 'canceled'].map((s) => deploymentState(s, 'none')))
      .toEqual(['scheduled', 'running', 'running', 'canceled']);
    expect(deploymentState('finished', 'success')).toBe('success');
    expect(deploymentState('finished', 'failure')).toBe('failed');
  });
});

describe('export buttons', () => {
  it('download a CSV file and warn when the cap cut the export', async () => {
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => { created.push(b); return 'blob:x'; });
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    const collect = vi.fn(async (progress: (n: number, total?: number) => void) => {
      progress(2, 250000);
      return { table: { header: ['序列号'], rows: [['PF1'], ['=1+1']] }, total: 250000, cut: true };
    });
    render(<ExportButtons testId="x" base="terminals" sheet="终端" collect={collect} />);
    fireEvent.click(screen.getByTestId('x-csv'));
    const cut = await screen.findByTestId('x-cut');
    expect(cut.textContent).toContain('250,000');
    expect(cut.textContent).toContain('100,000');
    expect(click).toHaveBeenCalled();
    // The bytes start with UTF-8's byte-order mark (Blob.text() would drop it).
    const bytes = new Uint8Array(await created[0].arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes.slice(3))).toBe('序列号\r\nPF1\r\n\'=1+1\r\n');
    vi.restoreAllMocks();
  });

  it('say why an export failed', async () => {
    const collect = vi.fn(async () => {
      throw new TypeError('network down');
    });
    render(<ExportButtons testId="y" base="terminals" sheet="终端" collect={collect} formats={['xlsx']} />);
    expect(screen.queryByTestId('y-csv')).toBeNull();
    fireEvent.click(screen.getByTestId('y-xlsx'));
    await waitFor(() => expect(screen.getByTestId('y-error').textContent).toContain('导出失败'));
  });
});
