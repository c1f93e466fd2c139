// The policy form's values and the patch they make: the fields a scope sets
// (core/policy.h PolicyPatch). Editing a scope sends what the user changed;
// a bulk edit sends what the user filled in.
export interface Window {
  days: number[];
  start: string;
  end: string;
  tz: string;
}

export interface Policy {
  mode: string;
  window: Window;
  cellular: string;
  cellular_limit_mb: number;
  never_defers_security: boolean;
  security_deadline_days: number;
  locked: boolean;
  lock_reason: string;
  revision?: number;
}

export interface PolicyValues {
  mode?: string;
  days?: number[];
  start?: string;
  end?: string;
  tz?: string;
  cellular?: string;
  cellular_limit_mb?: number | null;
  security_deadline_days?: number | null;
  never_defers_security?: boolean;
  locked?: boolean;
  lock_reason?: string;
  reason?: string;
}

export type Patch = Record<string, unknown>;

export function valuesOf(p: Policy): PolicyValues {
  return {
    mode: p.mode,
    days: [...p.window.days],
    start: p.window.start,
    end: p.window.end,
    tz: p.window.tz,
    cellular: p.cellular,
    cellular_limit_mb: p.cellular_limit_mb,
    security_deadline_days: p.security_deadline_days,
    never_defers_security: p.never_defers_security,
    locked: p.locked,
    lock_reason: p.lock_reason,
  };
}

const filled = (v: unknown) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function windowSet(v: PolicyValues): boolean {
  return [v.days, v.start, v.end, v.tz].some(filled);
}

// `initial` null: a bulk edit (every filled field is a change).
export function patchOf(v: PolicyValues, initial: PolicyValues | null, fleet: boolean, canLock: boolean): Patch {
  const changed = (k: keyof PolicyValues) =>
    initial === null ? filled(v[k]) : filled(v[k]) && !sameValue(v[k], initial[k]);
  const out: Patch = {};
  if (changed('mode')) out.mode = v.mode;
  const windowChanged = (['days', 'start', 'end', 'tz'] as const).some(changed);
  if (windowChanged && windowSet(v))
    out.window = { days: [...(v.days ?? [])].sort((a, b) => a - b), start: v.start, end: v.end, tz: v.tz };
  if (changed('cellular')) out.cellular = v.cellular;
  if (v.cellular === 'limit' && (changed('cellular_limit_mb') || changed('cellular')) && filled(v.cellular_limit_mb))
    out.cellular_limit_mb = v.cellular_limit_mb;
  if (fleet) {
    if (changed('security_deadline_days')) out.security_deadline_days = v.security_deadline_days;
    if (initial === null ? v.never_defers_security === true : v.never_defers_security !== initial.never_defers_security)
      out.never_defers_security = v.never_defers_security;
  }
  if (canLock) {
    const lockChanged = initial === null ? v.locked === true : !!v.locked !== !!initial.locked;
    if (v.locked && (lockChanged || changed('lock_reason'))) {
      out.locked = true;
      out.lock_reason = v.lock_reason;
    } else if (!v.locked && lockChanged) {
      out.locked = false;
    }
  }
  return out;
}
