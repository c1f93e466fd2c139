// 导入终端 / Import terminals (docs/import-export.md): choose a CSV or Excel file, read in the
// browser (common/readSheetFile.ts, importFile.ts); a dry run reports each bad row by line and
// field in the reader's language; without problems the user imports all rows (or, if one went
// bad meanwhile, none); the new terminals' tokens are then offered once as a CSV download and
// dropped when the drawer closes. Everything from the file is shown as text, never as markup.
import { type HTMLAttributes, useRef, useState } from 'react';
import { Alert, Button, Drawer, Modal, Space, Spin, Table, Typography, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ApiError } from '../../api';
import { errorText } from '../../common/errors';
import { readSheetFile } from '../../common/readSheetFile';
import { MAX_FILE_BYTES, saveFile, SheetError } from '../../common/sheets';
import { FileProblem, IMPORT_FIELDS, ImportAnswer, importRows, ImportProblem, ImportRow, MAX_IMPORT_ROWS,
         tokensCsv } from './importFile';

type Phase = 'choose' | 'reading' | 'checking' | 'checked' | 'applying' | 'applied';
const REQUIRED = new Set(['serial', 'model']);

export default function ImportDrawer({ open, onClose }: { open: boolean; onClose: (imported: boolean) => void }) {
  const { t, i18n } = useTranslation('terminals');
  const { t: tc } = useTranslation();
  const [phase, setPhase] = useState<Phase>('choose');
  const [name, setName] = useState('');
  const [rows, setRows] = useState<ImportRow[]>([]);
  const [problems, setProblems] = useState<ImportProblem[]>([]);
  const [error, setError] = useState('');
  const [answer, setAnswer] = useState<ImportAnswer | null>(null);
  const [saved, setSaved] = useState(false);
  const [modal, holder] = Modal.useModal();
  const seq = useRef(0); // a newer file makes older answers stale
  const imported = useRef(false); // since the drawer opened: the list reads again when it closes
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN';

  const reset = () => {
    seq.current++;
    setPhase('choose');
    setName('');
    setRows([]);
    setProblems([]);
    setError('');
    setAnswer(null);
    setSaved(false);
  };

  const number = (n: number) => n.toLocaleString(i18n.language);
  const fileText = (p: FileProblem) => {
    if (p.code === 'tooLong') return t('importErr_tooLong', { ...p, field: t(`col_${p.field}`) });
    if (p.code === 'tooManyRows') return t('importErr_tooManyRows', { rows: number(p.rows), max: number(p.max) });
    return t(`importErr_${p.code}`, p);
  };
  const failure = (e: unknown) => {
    if (e instanceof SheetError) return t(`importErr_${e.code}`, e.params);
    if (e instanceof ApiError && e.code === 'too_large') return t('importErr_bodyTooLarge');
    return errorText(tc, e);
  };

  const choose = async (file: File) => {
    reset();
    const mine = seq.current;
    setName(file.name);
    setPhase('reading');
    try {
      const got = importRows(await readSheetFile(file));
      if (mine !== seq.current) return;
      if ('problem' in got) {
        setError(fileText(got.problem));
        setPhase('choose');
        return;
      }
      setRows(got.rows);
      setPhase('checking');
      const a = await api<ImportAnswer>('POST', '/terminals/import', { rows: got.rows, dry_run: true });
      if (mine !== seq.current) return;
      setProblems(a.problems ?? []);
      setPhase('checked');
    } catch (e) {
      if (mine !== seq.current) return;
      setError(failure(e));
      setPhase('choose');
    }
  };

  const apply = async () => {
    const mine = seq.current;
    setError('');
    setPhase('applying');
    try {
      const a = await api<ImportAnswer>('POST', '/terminals/import', { rows, dry_run: false });
      if (mine !== seq.current) return;
      // A row that went bad since the check (someone registered the serial): nothing was imported.
      if (!a.applied) {
        setProblems(a.problems ?? []);
        setPhase('checked');
        return;
      }
      imported.current = true;
      setAnswer(a);
      setPhase('applied');
    } catch (e) {
      if (mine !== seq.current) return;
      setError(failure(e));
      setPhase('checked');
    }
  };

  const downloadTokens = () => {
    if (!answer) return;
    saveFile(new Blob([tokensCsv(answer.terminals)], { type: 'text/csv;charset=utf-8' }),
             `posfleet-tokens-${new Date().toISOString().slice(0, 10)}.csv`);
    setSaved(true);
  };

  // Tokens not yet downloaded are lost once the drawer lets go of them: the user confirms.
  const mayDropTokens = async () =>
    phase !== 'applied' || saved || !answer?.terminals.length ||
    (await modal.confirm({
      title: t('importCloseTitle'),
      content: t('importCloseBody'),
      okText: t('importCloseOk'),
      okButtonProps: { danger: true, ...({ 'data-testid': 'import-close-ok' } as Record<`data-${string}`, string>) },
      cancelText: t('cancel'),
    }));

  const close = async () => {
    if (!(await mayDropTokens())) return;
    reset();
    onClose(imported.current);
    imported.current = false;
  };

  const another = async () => {
    if (await mayDropTokens()) reset();
  };

  const busy = phase === 'reading' || phase === 'checking' || phase === 'applying';
  const picker = (
    <Upload.Dragger accept=".csv,.xlsx" multiple={false} showUploadList={false} disabled={busy}
                    beforeUpload={(f) => { void choose(f); return false; }} data-testid="import-file">
      <p className="ant-upload-drag-icon"><InboxOutlined /></p>
      <p className="ant-upload-text">{t('importDrop')}</p>
    </Upload.Dragger>
  );

  return (
    <Drawer open={open} onClose={close} size="large" title={t('importTitle')} destroyOnHidden
            data-testid="import-drawer">
      {holder}
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        {phase !== 'applied' && (
          <>
            <Typography.Paragraph style={{ marginBottom: 0 }}>
              {t('importIntro', { rows: number(MAX_IMPORT_ROWS), mb: MAX_FILE_BYTES / 1024 / 1024 })}
            </Typography.Paragraph>
            <ul style={{ margin: 0, paddingInlineStart: 20 }} data-testid="import-columns">
              {IMPORT_FIELDS.map((f) => (
                <li key={f}>
                  <Typography.Text strong>{t(`col_${f}`)}</Typography.Text> <Typography.Text code>{f}</Typography.Text>
                  {t('importNeed', { need: REQUIRED.has(f) ? t('importRequired') : t('importOptional') })}
                  {t(`colHint_${f}`)}
                </li>
              ))}
            </ul>
            {picker}
          </>
        )}
        {busy && (
          <Space data-testid="import-busy">
            <Spin size="small" />
            {phase === 'reading' && t('importReading', { name })}
            {phase === 'checking' && t('importChecking', { rows: rows.length })}
            {phase === 'applying' && t('importApplying')}
          </Space>
        )}
        {error && <Alert type="error" showIcon title={error} data-testid="import-error" />}
        {(phase === 'checked' || phase === 'applying') && (
          <>
            <Typography.Text data-testid="import-file-name">{t('importFile', { name, rows: rows.length })}</Typography.Text>
            {problems.length > 0 ? (
              <>
                <Alert type="error" showIcon title={t('importProblems', { count: problems.length })}
                       data-testid="import-problems-note" />
                <Table<ImportProblem & { key: number }>
                  size="small"
                  data-testid="import-problems"
                  dataSource={problems.map((p, key) => ({ ...p, key }))}
                  pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true }}
                  onRow={(p) => ({ 'data-testid': `problem-${p.line}-${p.field}` }) as HTMLAttributes<HTMLElement>}
                  columns={[
                    { title: t('importLine'), dataIndex: 'line', width: 70 },
                    { title: t('importField'), dataIndex: 'field', width: 110,
                      render: (f: string) => t(`col_${f}`, { defaultValue: f }) },
                    { title: t('importProblem'), dataIndex: 'message', render: (m: ImportProblem['message']) => m?.[lang] ?? '' },
                  ]}
                />
              </>
            ) : (
              <Alert type="success" showIcon title={t('importOk', { rows: rows.length })} data-testid="import-ok"
                     action={
                       <Button type="primary" onClick={apply} loading={phase === 'applying'} data-testid="import-apply">
                         {t('importApply', { rows: rows.length })}
                       </Button>
                     } />
            )}
          </>
        )}
        {phase === 'applied' && answer && (
          <>
            <Alert type="success" showIcon title={t('importDone', { rows: answer.terminals.length })} data-testid="import-done" />
            <Alert type="warning" showIcon title={t('importTokensWarning')} data-testid="import-tokens-warning"
                   action={
                     <Button type="primary" icon={<DownloadOutlined />} onClick={downloadTokens} data-testid="import-tokens">
                       {t('importTokensDownload')}
                     </Button>
                   } />
            {saved && <Typography.Text type="success" data-testid="import-tokens-saved">{t('importTokensSaved')}</Typography.Text>}
            <Table<{ serial: string }>
              size="small"
              rowKey="serial"
              title={() => t('importRegistered')}
              data-testid="import-registered"
              dataSource={answer.terminals.map(({ serial }) => ({ serial }))}
              pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true }}
              columns={[{ title: t('serial'), dataIndex: 'serial',
                          render: (v: string) => <Link to={`/terminals/${encodeURIComponent(v)}`}>{v}</Link> }]}
            />
            <Button onClick={another} data-testid="import-another">
              {t('importAnother')}
            </Button>
          </>
        )}
      </Space>
    </Drawer>
  );
}
