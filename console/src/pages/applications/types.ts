// An application as staff see it (GET /api/v1/applications[/{id}]): numbers masked.
export interface CheckItem {
  item: string;
  outcome: 'pass' | 'fail' | 'format_only';
  zh: string;
  en: string;
}

export interface Application {
  id: number;
  number: string;
  kind: 'individual' | 'business';
  legal_name: string;
  resident_id: string;
  business_name: string;
  credit_code: string;
  phone: string;
  card: string;
  bank: string;
  address: string;
  model: string;
  status: 'submitted' | 'approved' | 'rejected' | 'shipped' | 'activated';
  checks: { provider: string; items: CheckItem[] } | null;
  reason: string;
  reviewer: string;
  carrier: string;
  tracking: string;
  serials: string[];
  merchant_id: number;
  organisation: number; // whose staff review it (1: the acquirer's)
  created: string;
  updated: string;
  activations?: { serial: string; expires: string; used: string | null; replaced: boolean }[];
}

export const STATUS_COLOURS: Record<string, string> = {
  submitted: 'processing',
  approved: 'blue',
  shipped: 'cyan',
  activated: 'success',
  rejected: 'error',
};
