// How the page words a rollout's target and a wave's rule (shared by the list and the detail).
import type { TFunction } from 'i18next';
import type { WaveSpec } from './types';

export function targetText(t: TFunction, target: Record<string, unknown> | null | undefined): string {
  if (!target) return '';
  if (Array.isArray(target.serials)) return t('target_serials', { count: target.serials.length });
  if (typeof target.group === 'string') return t('target_group', { group: target.group });
  return t('target_filter');
}

export function specText(t: TFunction, s: WaveSpec): string {
  const which = s.group ? t('specGroup', { group: s.group }) : t('specPercent', { percent: s.percent ?? 100 });
  const soak = t('minutes', { n: Math.round((s.soak_seconds ?? 0) / 60) });
  const rules = t('specRules', { success: s.success_threshold ?? 0, error: s.error_threshold ?? 0, soak });
  return `${which}; ${rules}${s.needs_approval ? t('specApproval') : ''}`;
}
