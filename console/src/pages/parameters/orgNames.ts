// An organisation's name as the pages say it (the acquirer's own has none but its kind), for
// the sources of values ("org:7" → 组织 华东代理).
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../common/useApi';
import type { OrgRow } from './types';

export function useOrgNames() {
  const { t } = useTranslation('organisations');
  const orgs = useApi<{ own: number; organisations: OrgRow[] }>('/organisations');
  const list = orgs.data?.organisations;
  const orgName = useCallback((id: number) => {
    const o = list?.find((x) => x.id === id);
    return o ? o.name || t(`kind_${o.kind}`, { defaultValue: o.kind }) : `#${id}`;
  }, [list, t]);
  return { orgs: list ?? [], own: orgs.data?.own, orgName };
}
