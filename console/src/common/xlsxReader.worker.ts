// A worker that reads one .xlsx file (xlsxReader.ts) and answers {records} or {error}: a
// crafted file that makes the reader spin or run out of memory takes down this worker, not
// the page (readSheetFile.ts stops it after its time). Started from the console's own origin,
// it may start the unpacker's own workers, which the page's content policy would refuse.
import { readXlsxRecords } from './xlsxReader';

self.onmessage = async (e: MessageEvent<ArrayBuffer>) => {
  try {
    self.postMessage({ records: await readXlsxRecords(e.data) });
  } catch {
    self.postMessage({ error: 'badXlsx' });
  }
};
