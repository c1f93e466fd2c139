// Every text the console shows exists in both languages, the shared words
// (common/words.ts) are worded the same on every page, and the Chinese texts
// carry no English words beyond names and units.
import { describe, expect, it } from 'vitest';
import i18n from './i18n';
import words from './common/words';

const store = i18n.store.data as Record<string, Record<string, Record<string, unknown>>>;
const namespaces = Object.keys(store['zh-CN']);

// Latin words a Chinese text may carry: product, standards, units, formats.
const ALLOWED = new Set(['posfleet', 'IANA', 'Asia', 'Shanghai', 'CSV', 'JSONL', 'JSON', 'SHA', 'MB', 'KB', 'GB',
  'API', 'SMS', 'Wi-Fi', 'USB', 'PCI', 'DSS', 'UTC', 'CVE', 'English', 'POS', 'ID', 'A', 'B', 'os', 'URL', 'PA',
  // the spreadsheet format the import and the exports read and write (导出 Excel)
  'Excel',
  // protocol names, and the literal prefix the audit filter takes (token:NAME)
  'TOTP', 'DDI', 'TLS', 'CA', 'token']);

describe('strings', () => {
  it.each(namespaces)('%s: the same keys in zh-CN and English', (ns) => {
    expect(Object.keys(store.en[ns]).sort()).toEqual(Object.keys(store['zh-CN'][ns]).sort());
  });

  it.each(namespaces)('%s: the shared words are worded as everywhere else', (ns) => {
    for (const lang of ['zh-CN', 'en'] as const)
      for (const [key, word] of Object.entries(words[lang]))
        if (key in store[lang][ns]) expect(`${ns}.${key}=${store[lang][ns][key]}`).toBe(`${ns}.${key}=${word}`);
  });

  it.each(namespaces)('%s: Chinese texts carry no English words', (ns) => {
    for (const [key, text] of Object.entries(store['zh-CN'][ns])) {
      const latin = String(text)
        .replace(/\{\{[^}]*\}\}/g, '') // placeholders
        .replace(/posfleet(-agent)?( [a-z-]+)+/g, '') // commands to type
        .replace(/[a-z_]+\.json/g, '') // file names
        .replace(/\/[a-z/]+/g, '') // addresses
        .replace(/\S*\d\S*/g, '') // examples such as PA7K3M9QXT
        .match(/[A-Za-z][A-Za-z-]+/g) ?? [];
      expect([key, latin.filter((w) => !ALLOWED.has(w))]).toEqual([key, []]);
    }
  });
});
