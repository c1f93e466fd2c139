// The parameters API's shapes (server/api/parameters_api.cc, docs/parameters.md). Times are UTC
// strings; a sensitive value never comes back (value null, only whether it is set).
export type FieldType = 'string' | 'integer' | 'enum' | 'boolean';
export type Plain = string | number | boolean;

export interface Field {
  key: string;
  type: FieldType;
  label: { 'zh-CN': string; en: string };
  sensitive: boolean;
  default?: Plain;
  max_length?: number;
  pattern?: string;
  min?: number;
  max?: number;
  values?: string[];
}

export interface Template {
  app: string;
  name: string;
  revision: number;
  created_by: string;
  created: string | null;
  updated: string | null;
  fields: Field[];
}

// Where values are set: an organisation, a group within one, or one terminal.
export interface Where {
  level: 'org' | 'group' | 'terminal';
  organisation?: number;
  group?: string;
  serial?: string;
}

// One field as one level holds it (only the fields the level sets or locks are listed).
export interface LevelValue {
  key: string;
  sensitive: boolean;
  set: boolean;
  locked: boolean;
  value: Plain | null;
  updated_by: string;
  updated: string | null;
}

export interface LevelValues {
  app: string;
  revision: number;
  where: Where;
  values: LevelValue[];
}

// A change sent to the server: a value, unset (inherit from above), and/or the lock.
export interface Change {
  key: string;
  value?: Plain;
  unset?: true;
  locked?: boolean;
}

// One field of a terminal's effective set; `source` and `locked_by` are "default", "org:7",
// "group:7:shops", "terminal" or null.
export interface EffectiveValue {
  key: string;
  sensitive: boolean;
  set: boolean;
  value: Plain | null;
  source: string | null;
  locked_by: string | null;
}

export interface EffectiveSet {
  app: string;
  version: string;
  values: EffectiveValue[];
}

export interface TerminalApp extends EffectiveSet {
  applied_version: string | null;
  applied: string | null;
  in_sync: boolean;
}

// An organisation as GET /api/v1/organisations lists it (the caller's own first, then its tree).
export interface OrgRow {
  id: number;
  parent: number | null;
  kind: string;
  name: string;
  depth: number;
}
