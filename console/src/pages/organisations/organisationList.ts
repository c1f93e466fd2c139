// The caller's organisations as GET /api/v1/organisations lists them (its own first, then the
// rest of its subtree in tree order, each with its depth), and how the pages name one: the
// acquirer's own organisation has no name of its own and is called by its kind.
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../common/useApi';

export interface Organisation {
  id: number;
  parent: number | null;
  kind: 'acquirer' | 'reseller' | 'merchant';
  name: string;
  depth: number;
  terminals?: number; // that belong to it directly
  created_by: string;
}

export interface OrganisationList {
  own: number;
  organisations: Organisation[];
}

export function useOrganisationName() {
  const { t } = useTranslation('organisations');
  return useCallback((o: Pick<Organisation, 'name' | 'kind'>) => o.name || t(`kind_${o.kind}`, { defaultValue: o.kind }),
                     [t]);
}

// The list, and the name of an organisation by id (`#id` for one the caller cannot see).
export function useOrganisations() {
  const list = useApi<OrganisationList>('/organisations');
  const name = useOrganisationName();
  const orgs = list.data?.organisations ?? [];
  const nameById = useCallback((id: number) => {
    const o = orgs.find((x) => x.id === id);
    return o ? name(o) : `#${id}`;
  }, [orgs, name]);
  return { list, orgs, own: list.data?.own, name, nameById };
}
