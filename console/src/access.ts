// What each role may do: the same table as the server's (server/api/api_common.cc).
// The server enforces it on every request; the console uses it only to hide
// what a role cannot do.
export type Role = 'admin' | 'release_manager' | 'support' | 'auditor';
export type Capability =
  | 'read' // see terminals, releases, deployments, policy
  | 'release' // upload releases, set security deadlines
  | 'deploy' // assign and cancel deployments
  | 'terminal' // register terminals, move them between groups
  | 'policy' // change update policy
  | 'lock' // lock a policy, move terminals into or out of locked groups
  | 'control' // lock a lost or stolen terminal, lift its lock remotely
  | 'support' // tickets, identity verification, change on a verified merchant's behalf
  | 'merchant' // create merchants, bind terminals to them
  | 'audit' // read and export the audit log
  | 'onboard' // review applications for terminals, approve, reject, ship
  | 'admin'; // users, API tokens, the SMS outbox

const GRANTS: Record<Role, Capability[]> = {
  admin: ['read', 'release', 'deploy', 'terminal', 'policy', 'lock', 'control', 'support', 'merchant', 'audit', 'admin',
          'onboard'],
  release_manager: ['read', 'release', 'deploy', 'terminal', 'policy', 'control'],
  support: ['read', 'control', 'support'],
  auditor: ['read', 'audit'],
};

export function can(role: string, cap: Capability): boolean {
  return (GRANTS[role as Role] ?? []).includes(cap);
}
