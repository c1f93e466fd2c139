// One scope's policy — the fleet, a group, an organisation or a terminal: what
// it sets itself, what is in effect, its history, and (for roles that may) the
// form with a live count of the terminals a change would reach. A reseller's or
// merchant's user edits its organisations' and terminals' alone, starting from
// its own organisation; its own organisation's lock is the one above's.
import { useState } from 'react';
import { Alert, Button, Card, Descriptions, Input, Segmented, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import PolicyHistory, { PolicyChange } from '../../common/PolicyHistory';
import { api, Me } from '../../api';
import { can } from '../../access';
import States from '../../common/States';
import { errorText } from '../../common/errors';
import { useApi } from '../../common/useApi';
import PolicyForm from './PolicyForm';
import { Patch, Policy, valuesOf } from './patch';
import { usePreview } from './usePreview';
import PreviewLine, { Preview } from './PreviewLine';
import OrganisationPicker from '../organisations/OrganisationPicker';
import { useOrganisations } from '../organisations/organisationList';

type Scope = 'fleet' | 'group' | 'organisation' | 'terminal';

interface PolicyView {
  scope: Scope;
  key: string;
  patch: Record<string, unknown>;
  effective: Policy;
  history: PolicyChange[];
}

function pathOf(scope: Scope, key: string): string {
  return scope === 'fleet' ? '/policy' : `/policy?${scope}=${encodeURIComponent(key)}`;
}

// A policy's fields as rows; with `only`, just the fields a scope sets itself.
export function PolicySummary({ p, only, testId }: { p: Partial<Policy>; only?: string[]; testId?: string }) {
  const { t } = useTranslation('policy');
  const has = (k: string) => !only || only.includes(k);
  const w = p.window;
  return (
    <Descriptions column={1} bordered size="small" data-testid={testId}>
      {has('mode') && p.mode && (
        <Descriptions.Item label={t('mode')}>
          <span data-testid={`${testId}-mode`}>{t(`mode_${p.mode}`)}</span>
        </Descriptions.Item>
      )}
      {(has('locked') || has('lock_reason')) && p.locked !== undefined && (
        <Descriptions.Item label={t('lock')}>
          {p.locked ? <Tag color="red">{t('lockedBy', { reason: p.lock_reason ?? '' })}</Tag> : t('unlocked')}
        </Descriptions.Item>
      )}
      {has('window') && w && (
        <Descriptions.Item label={t('window')}>
          {w.days.map((d) => t(`day${d}`)).join(' ')} · {w.start === w.end ? t('allDay') : `${w.start}–${w.end}`} ({w.tz})
        </Descriptions.Item>
      )}
      {has('cellular') && p.cellular && (
        <Descriptions.Item label={t('cellular')}>
          {t(`cellular_${p.cellular}`)}
          {p.cellular === 'limit' && p.cellular_limit_mb !== undefined ? ` ${p.cellular_limit_mb} MB` : ''}
        </Descriptions.Item>
      )}
      {has('security_deadline_days') && p.security_deadline_days !== undefined && (
        <Descriptions.Item label={t('deadlineDays')}>{p.security_deadline_days}</Descriptions.Item>
      )}
      {has('never_defers_security') && p.never_defers_security !== undefined && (
        <Descriptions.Item label={t('neverDefersSecurity')}>
          <span data-testid={`${testId}-never-defers`} data-value={String(p.never_defers_security)}>
            {t(p.never_defers_security ? 'securityHeld' : 'securityForced')}
          </span>
        </Descriptions.Item>
      )}
      {!only && <Descriptions.Item label={t('revision')}>{p.revision ?? 0}</Descriptions.Item>}
    </Descriptions>
  );
}

export default function ScopeEditor({ me }: { me: Me }) {
  const { t } = useTranslation('policy');
  const { t: tc } = useTranslation();
  const wholeTree = me.whole_tree !== false;
  const ownOrg = me.organisation ? String(me.organisation.id) : '';
  const first: { scope: Scope; key: string } = wholeTree ? { scope: 'fleet', key: '' } : { scope: 'organisation', key: ownOrg };
  const [scope, setScope] = useState<Scope>(first.scope);
  const [keyText, setKeyText] = useState('');
  const [opened, setOpened] = useState<{ scope: Scope; key: string }>(first);
  const organisations = useOrganisations();
  const [keyError, setKeyError] = useState('');
  const [saved, setSaved] = useState('');
  const [saveError, setSaveError] = useState('');
  const [patch, setPatch] = useState<Patch>({});
  const view = useApi<PolicyView>(pathOf(opened.scope, opened.key));
  const mayEdit = can(me.role, 'policy');
  const ownLockAbove = !wholeTree && opened.scope === 'organisation' && opened.key === ownOrg;
  const canLock = can(me.role, 'lock') && !ownLockAbove;
  // The preview counts the fleet's terminals: the acquirer's, for its fleet, groups and terminals.
  const previewBody = wholeTree && opened.scope !== 'organisation' && Object.keys(patch).length
    ? { scope: opened.scope, key: opened.key, patch } : null;
  const preview = usePreview<Preview>('/policy/preview', mayEdit ? previewBody : null);

  const open = (s: Scope, key: string) => {
    if (s !== 'fleet' && !key.trim()) {
      setKeyError(t('keyRequired'));
      return;
    }
    setKeyError('');
    setSaved('');
    setSaveError('');
    setPatch({});
    setOpened({ scope: s, key: s === 'fleet' ? '' : key.trim() });
  };

  const save = async (p: Patch, reason: string) => {
    setSaved('');
    setSaveError('');
    try {
      const target = opened.scope === 'fleet' ? {} : { [opened.scope]: opened.key };
      await api('PUT', '/policy', { ...target, ...p, reason });
      setSaved(t('saved'));
      setPatch({});
      view.reload();
    } catch (e) {
      setSaveError(errorText(tc, e));
    }
  };

  const v = view.data;
  const ownEntries = Object.entries(v?.patch ?? {});
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap>
        <Segmented<Scope>
          value={scope}
          data-testid="scope"
          onChange={(s) => {
            setScope(s);
            if (s === 'fleet') open('fleet', '');
          }}
          options={(wholeTree ? (['fleet', 'group', 'organisation', 'terminal'] as const) : (['organisation', 'terminal'] as const)).map((s) => ({
            value: s,
            label: <span data-testid={`scope-${s}`}>{t(`scope_${s}`)}</span>,
          }))}
        />
        {scope === 'organisation' && (
          <div style={{ width: 280 }}>
            <OrganisationPicker
              orgs={organisations.orgs.filter((o) => o.kind !== 'acquirer')}
              value={opened.scope === 'organisation' && opened.key ? Number(opened.key) : undefined}
              onChange={(id) => open('organisation', String(id))}
              placeholder={t('keyOrganisation')}
              testid="scope-org-picker"
            />
          </div>
        )}
        {(scope === 'group' || scope === 'terminal') && (
          <>
            <Input
              value={keyText}
              status={keyError ? 'error' : undefined}
              placeholder={scope === 'group' ? t('keyGroup') : t('keyTerminal')}
              onChange={(e) => setKeyText(e.target.value)}
              onPressEnter={() => open(scope, keyText)}
              style={{ width: 220 }}
              data-testid="scope-key"
            />
            <Button onClick={() => open(scope, keyText)} data-testid="scope-open">{t('open')}</Button>
          </>
        )}
      </Space>
      {keyError && <Alert type="error" title={keyError} data-testid="scope-key-error" />}
      <States loading={view.loading} error={view.error} onRetry={view.reload}>
        {v && (
          <div style={{ display: 'flex', flexWrap: 'wrap', gap: 16 }}>
            <Card
              title={`${t(`scope_${v.scope}`)}${v.key ? `：${v.scope === 'organisation' ? organisations.nameById(Number(v.key)) : v.key}` : ''}`}
              style={{ flex: '1 1 360px' }}
              data-testid="scope-card"
            >
              <Typography.Title level={5}>{t('ownPatch')}</Typography.Title>
              {ownEntries.length === 0 ? (
                <Typography.Text type="secondary" data-testid="own-patch-empty">{t('ownPatchEmpty')}</Typography.Text>
              ) : (
                <PolicySummary p={v.patch as Partial<Policy>} only={ownEntries.map(([k]) => k)} testId="own-patch" />
              )}
              <Typography.Title level={5}>{t('effective')}</Typography.Title>
              <Typography.Paragraph type="secondary">{t('effectiveNote')}</Typography.Paragraph>
              <PolicySummary p={v.effective} testId="effective" />
            </Card>
            <Card title={t('title')} style={{ flex: '1 1 420px' }}>
              {!mayEdit && <Alert type="info" title={t('readOnly')} data-testid="policy-read-only" />}
              {saved && <Alert type="success" title={saved} style={{ marginBottom: 12 }} data-testid="policy-saved" />}
              {saveError && <Alert type="error" title={saveError} style={{ marginBottom: 12 }} data-testid="policy-save-error" />}
              {mayEdit && ownLockAbove && can(me.role, 'lock') && (
                <Alert type="info" title={t('ownLockAbove')} style={{ marginBottom: 12 }} data-testid="policy-own-lock-above" />
              )}
              {mayEdit && (
                <PolicyForm
                  key={`${v.scope}:${v.key}:${v.effective.revision ?? 0}`}
                  initial={valuesOf(v.effective)}
                  fleet={v.scope === 'fleet'}
                  canLock={canLock}
                  modeLocked={v.effective.locked}
                  onChange={setPatch}
                  onSubmit={save}
                  footer={<PreviewLine show={!!previewBody} {...preview} />}
                />
              )}
            </Card>
          </div>
        )}
      </States>
      {v && (
        <PolicyHistory changes={v.history} />
      )}
    </Space>
  );
}
