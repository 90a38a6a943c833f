/*
 * The install's data: what it read from the org (InstallSnapshot), what it will do (InstallPlan) and what it did
 * (InstallResult, the --json contract described by schemas/instruqt-install.json).
 */
import type { DescribeSObject } from '../salesforce/client.js';
import type { OrgFieldPermission, OrgObjectPermission } from '../footprint/compare.js';
import type { AuditResult } from '../perms/index.js';

export const STAGES = ['plan', 'deploy', 'user', 'assign', 'wait', 'converge', 'verify'] as const;
export type StageName = (typeof STAGES)[number];
/** done: changed the org; unchanged: nothing to do; skipped: not run (dry run, earlier failure); failed. */
export type StageStatus = 'done' | 'unchanged' | 'skipped' | 'failed';

export type StageResult = {
  name: StageName;
  status: StageStatus;
  /** What the stage changed in the org (or, for plan and dry runs, would change). */
  changes: string[];
  message?: string;
  apiCalls: number;
  durationMs: number;
};

export type OrgInfo = {
  id: string;
  name: string;
  isSandbox: boolean;
  instanceUrl: string;
  sandboxName?: string;
};

export type UserRecord = {
  id: string;
  username: string;
  email: string;
  isActive: boolean;
  profileId?: string;
  profileName?: string;
  licenceName?: string;
};

export type RunningUser = UserRecord & {
  timeZoneSidKey: string;
  localeSidKey: string;
  emailEncodingKey: string;
  languageLocaleKey: string;
  canModifyMetadata: boolean;
  canManageUsers: boolean;
};

export type ProfileRecord = {
  id: string;
  name: string;
  licence?: { id: string; name: string; total: number; used: number };
};

export type LicenceRecord = { id: string; masterLabel: string; developerName: string; total: number; used: number };

/** Everything the install plan needs, read in two Composite calls (perms has its own PermissionSnapshot). */
export type InstallSnapshot = {
  org: OrgInfo;
  runningUser: RunningUser;
  objects: Record<string, DescribeSObject | undefined>;
  /** The integration permission set, with the system permissions read (name without `Permissions` -> enabled). */
  permissionSet?: { id: string; label: string; permissions: Record<string, boolean> };
  objectPermissions: OrgObjectPermission[];
  fieldPermissions: OrgFieldPermission[];
  /** Users assigned the integration permission set. */
  assigneeIds: string[];
  /** Users read by id (assignees) or username (--username, the default username). */
  users: UserRecord[];
  psl?: LicenceRecord;
  pslAssigneeIds: string[];
  /** Profiles of the Salesforce Integration licence, and the --profile one. */
  profiles: ProfileRecord[];
  /** Administrator or forbidden permissions of the users read, by 15-character id, outside Instruqt_Integration. */
  powers?: Record<string, Array<{ permission: string; label: string; source: string }>>;
  /** Administrator or forbidden permissions of the --profile profile's own permission set, when --profile is given. */
  profilePowers?: Array<{ permission: string; label: string; source: string }>;
};

export type UserPlan = {
  action: 'create' | 'use' | 'reactivate';
  username: string;
  id?: string;
  email: string;
  foundBy?: 'username' | 'assignment' | 'default-username';
  profile?: { id?: string; name: string; licence?: string };
  /** The user's licence is Salesforce Integration: the API Integration PSL applies. */
  needsPsl: boolean;
};

export type AssignmentPlan = {
  permissionSetLicence: 'assign' | 'present' | 'not-applicable';
  permissionSet: 'assign' | 'present';
  pslId?: string;
};

export type InstallPlan = {
  org: OrgInfo;
  footprint: { deploy: boolean; changes: string[]; pendingActivation: string[] };
  user: UserPlan;
  assignments: AssignmentPlan;
  keepInstallPermissions: boolean;
  /** Number of planned changes (deploy counts as one per change line). */
  changeCount: number;
  warnings: string[];
};

export type ComponentFailure = { type: string; fullName: string; problem: string; problemType: string; fileName?: string };

export type DeployOutcome = {
  id?: string;
  checkOnly: boolean;
  success: boolean;
  status: string;
  componentsDeployed: number;
  componentsTotal: number;
  failures: ComponentFailure[];
  polls: number;
};

export type InstallResult = {
  success: boolean;
  dryRun: boolean;
  org: OrgInfo;
  plan?: InstallPlan;
  stages: StageResult[];
  user?: { id?: string; username: string; email: string; profile?: string; licence?: string; active: boolean };
  deploy?: DeployOutcome;
  /** The permission audit of the integration user: the `sf instruqt perms check --json` result, when verify ran. */
  audit?: AuditResult;
  apiCalls: {
    /** API calls made, deploy polls included. */
    total: number;
    /** Calls that changed the org. */
    writes: number;
    /** checkDeployStatus calls. */
    deployPolls: number;
  };
  warnings: string[];
  error?: { name: string; message: string; actions: string[] };
};
