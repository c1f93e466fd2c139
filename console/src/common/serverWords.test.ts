// What the server can send the console in codes — audit actions, audit
// paths, error codes — each has words in both languages. The codes are read
// from the server's sources, so a new one without words fails here.
/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import i18n from '../i18n';
import { ACTIONS } from '../pages/audit/actions';

// The server's sources (not its tests), read by Vite at test time.
const files = import.meta.glob('../../../server/**/*.cc', { query: '?raw', import: 'default', eager: true });
// The names of the codes the server's one error mapping may send (core/result.cc).
const coreFiles = import.meta.glob('../../../core/result.cc', { query: '?raw', import: 'default', eager: true });
const resultCc = String(Object.values(coreFiles)[0]);
const text = Object.entries(files)
  .filter(([path]) => !path.endsWith('_test.cc'))
  .map(([, src]) => String(src))
  .join('\n');
const all = (re: RegExp) => [...new Set([...text.matchAll(re)].map((m) => m[1]))].sort();
const has = (lang: string, ns: string, key: string) => i18n.exists(key, { lng: lang, ns, fallbackLng: false });

describe('words for the server\'s codes', () => {
  it('every audit action', () => {
    const actions = all(/record_audit\([^;]*?"([a-z_]+(?:\.[a-z_]+)+)"/g);
    expect(actions.length).toBeGreaterThan(20);
    // "policy.change." + outcome: the outcomes of a terminal's change.
    const codes = actions.flatMap((a) => (a.endsWith('.') ? [] : [a]));
    for (const o of ['applied', 'superseded', 'refused']) codes.push(`policy.change.${o}`);
    expect(codes.filter((c) => !ACTIONS[c])).toEqual([]);
  });

  it('every audit path', () => {
    const paths = all(/\{[\w.>()-]+, "\w+", "(\w+)"\}/g);
    expect(paths).toContain('public');
    for (const lang of ['zh-CN', 'en'])
      expect(paths.filter((p) => !has(lang, 'audit', `path_${p}`) || !has(lang, 'translation', `path_${p}`))).toEqual([]);
  });

  it('every error code', () => {
    const codes = all(/error_response\([^,]+, "([a-z_]+)"/g);
    // Codes of refusals (kConflict and the ones after kVersionReused) reach the console by name.
    const refusals = resultCc.slice(resultCc.indexOf('Code::kWrongState'));
    for (const m of refusals.matchAll(/return "([a-z_]+)"/g)) codes.push(m[1]);
    codes.push('conflict', 'not_found', 'invalid_argument', 'unauthorized', 'unavailable');
    expect(codes.length).toBeGreaterThan(8);
    // The support desk words its own verification codes (pages/support: err_*).
    const own = (c: string) => has('zh-CN', 'support', `err_${c}`);
    for (const lang of ['zh-CN', 'en'])
      expect(codes.filter((c) => !has(lang, 'translation', `error_${c}`) && !own(c))).toEqual([]);
  });
});
