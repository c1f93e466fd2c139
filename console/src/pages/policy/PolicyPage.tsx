// The update-policy page: one scope at a time (fleet, group, organisation,
// terminal), or a bulk edit of the terminals a filter picks (the acquirer's). Roles that may not change policy
// see it read-only; the server refuses them anyway.
import { Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../api';
import { can } from '../../access';
import BulkEdit from './BulkEdit';
import DeviceAuthSetting from './DeviceAuthSetting';
import ScopeEditor from './ScopeEditor';
import PageTitle from '../../common/PageTitle';

export default function PolicyPage({ me }: { me: Me }) {
  const { t } = useTranslation('policy');
  const tabs = [{ key: 'scope', label: <span data-testid="tab-scope">{t('tabScope')}</span>, children: <ScopeEditor me={me} /> }];
  // The bulk edit and the terminals' authentication are the acquirer's (the whole fleet's).
  const wholeTree = me.whole_tree !== false;
  if (wholeTree && can(me.role, 'policy'))
    tabs.push({ key: 'bulk', label: <span data-testid="tab-bulk">{t('tabBulk')}</span>, children: <BulkEdit me={me} /> });
  if (wholeTree)
    tabs.push({
      key: 'device-auth',
      label: <span data-testid="tab-device-auth">{t('tabDeviceAuth')}</span>,
      children: <DeviceAuthSetting canChange={can(me.role, 'admin')} />,
    });
  return (
    <>
      <PageTitle title={t('title')} />
      <Tabs items={tabs} destroyOnHidden />
    </>
  );
}
