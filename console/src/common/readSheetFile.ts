// A file the user chose, read into records (sheets.ts): .csv here, .xlsx in a worker of its
// own (xlsxReader.worker.ts) that is stopped after XLSX_SECONDS — a crafted file that makes
// the reader spin or run out of memory costs that worker, not the page.
import { checkXlsxContents, decodeUtf8, MAX_FILE_BYTES, parseCsv, SheetError, type SheetRecord } from './sheets';

const XLSX_SECONDS = 30;

// The records of an .xlsx file's first sheet, read in a worker (xlsxReader.worker.ts) that is
// stopped after XLSX_SECONDS; where there are no workers (tests), here.
export async function readXlsx(buf: ArrayBuffer): Promise<SheetRecord[]> {
  checkXlsxContents(buf);
  if (typeof Worker === 'undefined') {
    const { readXlsxRecords } = await import('./xlsxReader');
    return readXlsxRecords(buf).catch(() => Promise.reject(new SheetError('badXlsx')));
  }
  const worker = new Worker(new URL('./xlsxReader.worker.ts', import.meta.url), { type: 'module' });
  try {
    return await new Promise<SheetRecord[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SheetError('xlsxTimeout', { seconds: XLSX_SECONDS })),
                               XLSX_SECONDS * 1000);
      worker.onmessage = (e: MessageEvent<{ records?: SheetRecord[] }>) => {
        clearTimeout(timer);
        if (Array.isArray(e.data.records)) resolve(e.data.records);
        else reject(new SheetError('badXlsx'));
      };
      // The worker died (out of memory on a crafted file, or it could not start).
      worker.onerror = () => {
        clearTimeout(timer);
        reject(new SheetError('badXlsx'));
      };
      worker.postMessage(buf, [buf]);
    });
  } finally {
    worker.terminate();
  }
}

// The records of a chosen file by its name: .csv or .xlsx, at most MAX_FILE_BYTES.
export async function readSheetFile(file: Blob & { name: string }): Promise<SheetRecord[]> {
  const name = file.name.toLowerCase();
  const csv = name.endsWith('.csv');
  if (!csv && !name.endsWith('.xlsx')) throw new SheetError('unknownType');
  if (file.size > MAX_FILE_BYTES) throw new SheetError('tooLarge', { mb: MAX_FILE_BYTES / 1024 / 1024 });
  const buf = await file.arrayBuffer();
  if (csv) return parseCsv(decodeUtf8(new Uint8Array(buf)));
  return readXlsx(buf);
}

