// Spreadsheet files in and out: CSV read as the CLI reads it (line numbers, quotes, the
// byte-order mark, Chinese), CSV and .xlsx written safely (quotes, formulas, the mark), an
// .xlsx written by write-excel-file read back by read-excel-file, and hostile files refused
// with a reason, not a crash.
import { describe, expect, it } from 'vitest';
import writeXlsxFile from 'write-excel-file/browser';
import { readSheetFile } from './readSheetFile';
import { checkXlsxContents, csvField, decodeUtf8, fileName, neutralise, parseCsv, SheetError, toCsv, toXlsx,
         xlsxText, XLSX_CELL_CHARS } from './sheets';
import { cellText, readXlsxRecords, recordsOfSheet } from './xlsxReader';

const bytes = (s: string) => new TextEncoder().encode(s);
const file = (content: BlobPart, name: string) => Object.assign(new Blob([content]), { name });
const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'no error';
  } catch (e) {
    return e instanceof SheetError ? e.code : String(e);
  }
};
// jsdom's Blob has no arrayBuffer() in every version: read it the old way.
const arrayBuffer = (b: Blob) =>
  new Promise<ArrayBuffer>((resolve) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result as ArrayBuffer);
    r.readAsArrayBuffer(b);
  });

describe('CSV in', () => {
  it('numbers records by the line they start on, as the CLI does', () => {
    const text = 'serial,model\r\nA1,A920\n\n"B,2","多\n行"\nC3,S300';
    expect(parseCsv(text)).toEqual([
      { line: 1, cells: ['serial', 'model'] },
      { line: 2, cells: ['A1', 'A920'] },
      { line: 4, cells: ['B,2', '多\n行'] },
      { line: 6, cells: ['C3', 'S300'] },
    ]);
  });

  it('takes doubled quotes, empty fields and a row of commas', () => {
    expect(parseCsv('"say ""hi""",,x\n,,\n')).toEqual([
      { line: 1, cells: ['say "hi"', '', 'x'] },
      { line: 2, cells: ['', '', ''] },
    ]);
  });

  it('drops a byte-order mark and reads Chinese headers', () => {
    const text = decodeUtf8(bytes('\uFEFF序列号,型号,商户,分组,时区\nPF1,A920,,东区,Asia/Shanghai\n'));
    expect(parseCsv(text)[0].cells).toEqual(['序列号', '型号', '商户', '分组', '时区']);
    expect(parseCsv(text)[1]).toEqual({ line: 2, cells: ['PF1', 'A920', '', '东区', 'Asia/Shanghai'] });
  });

  it('refuses text that is not UTF-8, and a quote never closed (with its line)', () => {
    expect(() => decodeUtf8(new Uint8Array([0x73, 0xd0, 0xf2, 0xc1, 0xd0]))).toThrow(SheetError);
    try {
      parseCsv('serial,model\nA1,"open\nstill open');
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'unclosedQuote', params: { line: 2 } });
    }
  });
});

describe('out', () => {
  it('neutralises text a spreadsheet would run as a formula', () => {
    for (const bad of ['=1+1', '+1', '-2', '@SUM(A1)', '\tx', '\rx', '＝1'])
      expect(neutralise(bad)).toBe(`'${bad}`);
    for (const fine of ['A920', '1-2', '', '茶馆', "'quoted"]) expect(neutralise(fine)).toBe(fine);
  });

  it('quotes CSV fields per RFC 4180 and leaves numbers alone', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-5)).toBe('-5');
    expect(csvField(null)).toBe('');
  });

  it('writes CSV with a byte-order mark and CRLF, Chinese as UTF-8', () => {
    const csv = toCsv({ header: ['序列号', '商户'], rows: [['PF1', '茶馆,东区'], ['PF2', null]] });
    expect(csv).toBe('\uFEFF序列号,商户\r\nPF1,"茶馆,东区"\r\nPF2,\r\n');
    // What was written reads back the same.
    expect(parseCsv(csv).map((r) => r.cells)).toEqual([['序列号', '商户'], ['PF1', '茶馆,东区'], ['PF2', '']]);
  });

  it('makes .xlsx text valid XML of at most 32,767 characters', () => {
    expect(xlsxText('a\u0000b\u001fc\uD800d')).toBe('a\uFFFDb\uFFFDc\uFFFDd');
    expect(xlsxText('tab\there')).toBe('tab\there');
    const long = xlsxText('x'.repeat(40000));
    expect(long.length).toBe(XLSX_CELL_CHARS);
    expect(long.endsWith('…')).toBe(true);
  });

  it('names files by the day', () => {
    expect(fileName('terminals', 'xlsx', new Date(2026, 10, 4, 23, 59))).toBe('posfleet-terminals-2026-11-04.xlsx');
  });

  it('writes .xlsx that read-excel-file reads back: headers, Chinese, numbers, formulas as text', async () => {
    const blob = await toXlsx({ header: ['序列号', '进度'], rows: [['PF1', 40], ['=cmd|x', null], ['茶馆', 100]] }, '终端: 列表');
    const sheet = await readXlsxRecords(await arrayBuffer(blob));
    expect(sheet).toEqual([
      { line: 1, cells: ['序列号', '进度'] },
      { line: 2, cells: ['PF1', '40'] },
      { line: 3, cells: ["'=cmd|x", ''] },
      { line: 4, cells: ['茶馆', '100'] },
    ]);
  });
});

describe('.xlsx in', () => {
  it('reads each row with its row number, skipping empty rows', async () => {
    const blob = await writeXlsxFile([[null], ['serial', 'model'], [null, null], ['PF1', 'A920'], [12345, 'S300']]).toBlob();
    const records = await readSheetFile(file(await arrayBuffer(blob), 'terminals.XLSX'));
    expect(records).toEqual([
      { line: 2, cells: ['serial', 'model'] },
      { line: 4, cells: ['PF1', 'A920'] },
      { line: 5, cells: ['12345', 'S300'] },
    ]);
  });

  it('turns cells into text', () => {
    expect([cellText(null), cellText(3.5), cellText(true), cellText(new Date(Date.UTC(2026, 0, 2))), cellText({})])
      .toEqual(['', '3.5', 'TRUE', '2026-01-02T00:00:00.000Z', '']);
    expect(recordsOfSheet([[null, ''], ['a']])).toEqual([{ line: 2, cells: ['a'] }]);
  });

  it('refuses what is not an .xlsx file, with a reason', async () => {
    expect(await code(readSheetFile(file('PK\u0003\u0004 not really a zip file at all, sorry', 'x.xlsx')))).toBe('badXlsx');
    expect(await code(readSheetFile(file(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0, 0, 0, 0]), 'old.xlsx'))))
      .toBe('badXlsx');
    expect(await code(readSheetFile(file('serial,model', 'list.txt')))).toBe('unknownType');
    expect(await code(readSheetFile(file(new Uint8Array(5 * 1024 * 1024 + 1), 'big.csv')))).toBe('tooLarge');
    expect(await code(readSheetFile(file(new Uint8Array([0xff, 0xfe, 0x00]), 'utf16.csv')))).toBe('notUtf8');
  });

  it('refuses an .xlsx whose parts claim to unpack into too much, before unpacking', async () => {
    const blob = await writeXlsxFile([['serial'], ['PF1']]).toBlob();
    const buf = await arrayBuffer(blob);
    expect(() => checkXlsxContents(buf)).not.toThrow();
    // Make the first XML part of the central directory claim 100 MiB.
    const view = new DataView(buf);
    const u8 = new Uint8Array(buf);
    let end = u8.length - 22;
    while (view.getUint32(end, true) !== 0x06054b50) end--;
    let at = view.getUint32(end + 16, true);
    for (;;) {
      const n = view.getUint16(at + 28, true);
      const name = new TextDecoder().decode(u8.subarray(at + 46, at + 46 + n));
      if (name.endsWith('.xml')) break;
      at += 46 + n + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    }
    view.setUint32(at + 24, 100 * 1024 * 1024, true);
    expect(await code(readSheetFile(file(buf, 'bomb.xlsx')))).toBe('xlsxTooBig');
    // A table of contents pointing outside the file.
    view.setUint32(end + 16, u8.length + 100, true);
    expect(await code(readSheetFile(file(buf, 'broken.xlsx')))).toBe('badXlsx');
  });
});
