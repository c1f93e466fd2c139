// Parameters (参数下发, docs/parameters.md): choose an app's template and a level — an
// organisation of the caller's tree, a group within one, or one terminal — and see and change
// that level's values (ValuesEditor), previewing a terminal's set before and after each save
// (PreviewModal). The template itself is shown read only; the acquirer's administrators may add
// one by pasting its JSON (TemplateModal).
import { useState } from 'react';
import { Alert, Button, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../api';
import { can } from '../../access';
import PageTitle from '../../common/PageTitle';
import States from '../../common/States';
import { useApi } from '../../common/useApi';
import LevelPicker from './LevelPicker';
import { useOrgNames } from './orgNames';
import TemplateModal from './TemplateModal';
import TemplatePanel from './TemplatePanel';
import ValuesEditor, { whereQuery } from './ValuesEditor';
import type { Template, Where } from './types';

export default function Parameters({ me }: { me: Me }) {
  const { t } = useTranslation('parameters');
  const templates = useApi<{ templates: Template[] }>('/parameters/templates');
  const { orgs, own, orgName } = useOrgNames();
  const [app, setApp] = useState<string>();
  const [where, setWhere] = useState<Where>({ level: 'org' });
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState('');
  const list = templates.data?.templates ?? [];
  const tpl = list.find((x) => x.app === app) ?? list[0];
  const mayAdd = can(me.role, 'admin') && me.whole_tree !== false;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <PageTitle title={t('title')}
                 extra={mayAdd && <Button onClick={() => setAdding(true)} data-testid="template-add">{t('addTemplate')}</Button>} />
      <Typography.Paragraph type="secondary">{t('intro')}</Typography.Paragraph>
      {notice && <Alert type="success" showIcon title={notice} closable onClose={() => setNotice('')} data-testid="template-notice" />}
      <States loading={templates.loading && !templates.data} error={templates.data ? '' : templates.error}
              onRetry={templates.reload} empty={!list.length} emptyText={t('noTemplates')}>
        {tpl && (
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            <Space wrap>
              <span>{t('app')}</span>
              <Select style={{ minWidth: 240 }} value={tpl.app} onChange={setApp} data-testid="param-app"
                      options={list.map((x) => ({ value: x.app, label: `${x.name} · ${x.app}` }))} />
            </Space>
            <LevelPicker orgs={orgs} own={own} orgName={orgName} onShow={setWhere} />
            <ValuesEditor key={`${tpl.app}?${whereQuery(where)}`} me={me} tpl={tpl} where={where} own={own}
                          orgName={orgName} />
            <TemplatePanel tpl={tpl} />
          </Space>
        )}
      </States>
      {adding && (
        <TemplateModal onClose={() => setAdding(false)}
                       onSaved={(made) => {
                         setAdding(false);
                         setNotice(t('templateSaved', { app: made.app }));
                         setApp(made.app);
                         templates.reload();
                       }} />
      )}
    </Space>
  );
}
