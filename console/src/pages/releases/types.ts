// A release as GET /api/v1/releases describes it (server/api/management_api.cc).
export interface Component {
  name: string;
  version: string;
  filename: string;
  sha256: string;
  size: number;
  mandatory?: boolean;
  depends?: string[];
  // Patches from earlier versions, as the signed manifest lists them (docs/formats/delta.md).
  deltas?: { from_version: string; filename: string; size: number }[];
  zchunk?: { filename: string; size: number };
}

export interface Release {
  id: number;
  version: string;
  models: string[];
  expires: string;
  created: string;
  size: number;
  security: boolean;
  security_deadline: string | null;
  rollback: boolean;
  notes?: { 'zh-CN'?: string; en?: string };
  components: Component[];
  signature: { key_ids: string[]; verified: boolean; threshold: number; trusted_key_ids: string[] };
  // The organisation whose subtree sees and receives it (1: the acquirer's, the whole fleet).
  organisation: number;
}
