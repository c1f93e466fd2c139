// Uploading a release signed with the CLI, as `posfleet release publish`
// does: for each file of the signed manifest (each component's, and each of
// its delta patches), ask whether the server has
// its artifact; if not, find the chosen file by name, check its SHA-256 and
// length against the manifest in the browser, and PUT it with progress; then
// POST the manifest byte for byte. The console never signs anything.
import { ApiError } from '../../api';

export interface ManifestComponent {
  name: string;
  filename: string;
  sha256: string;
  length: number;
  deltaFrom?: string; // a component's patch from this version (docs/formats/delta.md)
  zchunk?: true; // a component's zchunk file (docs/formats/zchunk.md)
}

export interface ParsedManifest {
  version: string;
  components: ManifestComponent[];
  signatures: number;
}

// A problem the page explains in the user's language: a strings.ts key and its values.
export class UploadProblem extends Error {
  constructor(public key: string, public params: Record<string, string> = {}) {
    super(key);
  }
}

export function parseManifest(text: string): ParsedManifest {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UploadProblem('manifestInvalid', { message: String((e as Error).message) });
  }
  const env = v as { signed?: { version?: unknown; components?: unknown }; signatures?: unknown };
  const signed = env?.signed;
  if (!signed || typeof signed.version !== 'string' || !Array.isArray(signed.components))
    throw new UploadProblem('manifestInvalid', { message: 'signed.version / signed.components' });
  const file = (name: string, c: Record<string, unknown>, deltaFrom?: string): ManifestComponent => ({
    name,
    filename: String(c.filename ?? ''),
    sha256: String(c.sha256 ?? '').toLowerCase(),
    length: Number(c.length ?? -1),
    ...(deltaFrom === undefined ? {} : { deltaFrom }),
  });
  const components = (signed.components as Record<string, unknown>[]).flatMap((c) => [
    file(String(c.name ?? ''), c),
    ...(Array.isArray(c.deltas) ? (c.deltas as Record<string, unknown>[]) : []).map((d) =>
      file(String(c.name ?? ''), d, String(d.from_version ?? ''))),
    ...(c.zchunk && typeof c.zchunk === 'object'
      ? [{ ...file(String(c.name ?? ''), c.zchunk as Record<string, unknown>), zchunk: true as const }] : []),
  ]);
  if (components.some((c) => !c.filename || !/^[0-9a-f]{64}$/.test(c.sha256)))
    throw new UploadProblem('manifestInvalid', { message: 'components need filename and sha256' });
  const signatures = Array.isArray(env.signatures) ? env.signatures.length : 0;
  if (!signatures) throw new UploadProblem('manifestUnsigned');
  return { version: signed.version, components, signatures };
}

export async function sha256Hex(data: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await data.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

// One request with upload progress (fetch has none), the session cookie and CSRF token.
export function send(method: string, path: string, body: Blob | string | null, csrf: string,
                     onProgress?: (fraction: number) => void): Promise<{ status: number; data: unknown }> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open(method, `/api/v1${path}`);
    x.withCredentials = true;
    if (method !== 'GET') x.setRequestHeader('X-CSRF-Token', csrf);
    if (typeof body === 'string') x.setRequestHeader('Content-Type', 'application/json');
    else if (body) x.setRequestHeader('Content-Type', 'application/octet-stream');
    if (onProgress) x.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    x.onload = () => {
      let data: unknown = null;
      try {
        data = x.responseText ? JSON.parse(x.responseText) : null;
      } catch {
        data = null;
      }
      resolve({ status: x.status, data });
    };
    x.onerror = () => reject(new TypeError('network'));
    x.send(body);
  });
}

function apiError(r: { status: number; data: unknown }): ApiError {
  const e = (r.data as { error?: { code?: string; message?: string } })?.error;
  return new ApiError(r.status, e?.code ?? 'error', e?.message ?? String(r.status));
}

export type StepState = 'check' | 'hash' | 'upload' | 'present' | 'done' | 'failed';
export interface Step {
  name: string;
  filename: string;
  state: StepState;
  percent: number;
  deltaFrom?: string;
  zchunk?: true;
}

export async function uploadRelease(manifest: File, files: File[], csrf: string,
                                    onSteps: (steps: Step[]) => void): Promise<unknown> {
  const text = await manifest.text();
  const m = parseManifest(text);
  const steps: Step[] = m.components.map((c) => ({ name: c.name, filename: c.filename, state: 'check', percent: 0,
                                                  deltaFrom: c.deltaFrom, zchunk: c.zchunk }));
  const update = (i: number, s: Partial<Step>) => {
    steps[i] = { ...steps[i], ...s };
    onSteps([...steps]);
  };
  onSteps([...steps]);
  for (const [i, c] of m.components.entries()) {
    const have = await send('GET', `/artifacts/${c.sha256}`, null, csrf);
    if (have.status === 200) {
      update(i, { state: 'present', percent: 100 });
      continue;
    }
    const file = files.find((f) => f.name === c.filename);
    if (!file) {
      update(i, { state: 'failed' });
      throw new UploadProblem('fileMissing', { name: c.name, file: c.filename });
    }
    update(i, { state: 'hash' });
    if (file.size !== c.length || (await sha256Hex(file)) !== c.sha256) {
      update(i, { state: 'failed' });
      throw new UploadProblem('hashMismatch', { file: c.filename });
    }
    update(i, { state: 'upload' });
    const put = await send('PUT', `/artifacts/${c.sha256}`, file, csrf, (f) => update(i, { percent: Math.round(f * 100) }));
    if (put.status >= 300) {
      update(i, { state: 'failed' });
      throw apiError(put);
    }
    update(i, { state: 'done', percent: 100 });
  }
  const r = await send('POST', '/releases', text, csrf);
  if (r.status >= 300) {
    const e = apiError(r);
    if (['bad_signature', 'unknown_key', 'too_few_signatures'].includes(e.code))
      throw new UploadProblem('signatureRefused', { message: e.message });
    if (e.status === 409) throw new UploadProblem('alreadyPublished', { version: m.version });
    throw e;
  }
  return r.data;
}
