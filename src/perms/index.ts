/*
 * The permission audit and reduction, as the commands and the install command use them. The install's converge and
 * verify stages call reduceIntegration and auditIntegration; keep these names and option shapes stable.
 */
export { loadPolicy, parsePolicy, defaultPolicyPath, PolicyError, type Policy } from './policy.js';
export {
  auditIntegration,
  auditSnapshot,
  type AuditOptions,
  type AuditResult,
  type UserAudit,
  type Finding,
  type FindingKind,
  type PermissionRef,
} from './audit.js';
export {
  reduceIntegration,
  planReduction,
  type ReduceOptions,
  type ReduceResult,
  type ReducePlan,
  type ReduceAction,
  type AppliedAction,
} from './reduce.js';
export { type GrantSource } from './effective-permissions.js';
export { auditToJUnit } from './junit.js';
export { readOrgSnapshot, type PermissionSnapshot } from './org-snapshot.js';
