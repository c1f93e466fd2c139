// How the parameters page and the terminal's card word a field, a value, where a value comes
// from and the rules a value must keep (the server checks every one again, domain/parameters.cc).
import type { TFunction } from 'i18next';
import type { Field, Plain } from './types';

// A field's label in the reader's language, else the other one, else its key.
export function fieldLabel(f: Field | undefined, key: string, lang: string): string {
  if (!f) return key;
  const [mine, other] = lang === 'en' ? [f.label.en, f.label['zh-CN']] : [f.label['zh-CN'], f.label.en];
  return mine || other || key;
}

export function plainText(t: TFunction, v: Plain | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? t('yes') : t('no');
  return String(v);
}

// A value as people may see it: a sensitive one only as set or not.
export function valueText(t: TFunction, v: { sensitive: boolean; set: boolean; value: Plain | null }): string {
  if (v.sensitive || !v.set) return v.set ? t('set') : t('notSet');
  return plainText(t, v.value);
}

// "default", "org:7", "group:7:shops", "terminal" (a value's source or a lock's level).
export function sourceText(t: TFunction, source: string | null, orgName: (id: number) => string): string {
  if (!source) return t('source_none');
  if (source === 'default' || source === 'terminal') return t(`source_${source}`);
  const m = /^(org|group):(\d+)(?::(.*))?$/.exec(source);
  if (!m) return source;
  const name = orgName(Number(m[2]));
  return m[1] === 'org' ? t('source_org', { name }) : t('source_group', { name, group: m[3] ?? '' });
}

// The rules of a field, e.g. "最多 15 个字；格式 [0-9]{15}".
export function rulesText(t: TFunction, f: Field): string {
  const rules: string[] = [];
  if (f.type === 'string') {
    if (f.max_length) rules.push(t('rule_length', { max: f.max_length }));
    if (f.pattern) rules.push(t('rule_pattern', { pattern: f.pattern }));
  }
  if (f.type === 'integer') {
    if (f.min !== undefined && f.max !== undefined) rules.push(t('rule_range', { min: f.min, max: f.max }));
    else if (f.min !== undefined) rules.push(t('rule_min', { min: f.min }));
    else if (f.max !== undefined) rules.push(t('rule_max', { max: f.max }));
  }
  if (f.type === 'enum' && f.values) rules.push(t('rule_values', { values: f.values.join(' / ') }));
  if (f.default !== undefined) rules.push(t('rule_default', { value: plainText(t, f.default) }));
  if (f.sensitive) rules.push(t('rule_sensitive'));
  return rules.join(t('ruleSeparator'));
}

// What is wrong with `v` for field `f` ('' when it fits), as the server would say it.
export function valueProblem(t: TFunction, f: Field, v: Plain): string {
  if (f.type === 'integer') {
    const n = Number(v);
    if (!Number.isInteger(n)) return t('invalid_integer');
    if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max))
      return t('invalid_range', { min: f.min ?? '', max: f.max ?? '' });
    return '';
  }
  if (f.type === 'enum') return f.values?.includes(String(v)) ? '' : t('invalid_choice');
  if (f.type === 'string') {
    const s = String(v);
    if (f.max_length && [...s].length > f.max_length) return t('invalid_length', { max: f.max_length });
    if (f.pattern) {
      let re: RegExp | null = null;
      try {
        re = new RegExp(`^(?:${f.pattern})$`);
      } catch {
        return ''; // the server judges a pattern the browser cannot read
      }
      if (!re.test(s)) return t('invalid_pattern', { pattern: f.pattern });
    }
  }
  return '';
}
