/*
 * Stage 1: the install plan, computed from the footprint and one snapshot of the org (org-state.ts). Pure: the same
 * plan object is printed by --dry-run and applied by the real run. Refuses early, with the fix, what would fail later
 * (no free licence, missing admin permissions, an ambiguous integration user).
 */
import { diffFootprint } from '../footprint/compare.js';
import { integrationPermissionSet, type Footprint } from '../footprint/footprint.js';
import { describeGrants } from '../perms/admin-powers.js';
import { id15, sameId } from '../salesforce/ids.js';
import { INTEGRATION_LICENCE, INTEGRATION_PERMISSION_SET, INTEGRATION_PROFILE, INTEGRATION_PSL_LABEL } from '../footprint/vocabulary.js';
import { installError, messages } from './messages.js';
import type { AssignmentPlan, InstallPlan, InstallSnapshot, ProfileRecord, UserPlan, UserRecord } from './types.js';

export type PlanOptions = {
  /** --username */
  username?: string;
  /** --email; default: the running user's email. */
  email?: string;
  /** --profile */
  profile?: string;
  keepInstallPermissions: boolean;
  /** The username used when none is given and none is found. */
  defaultUsername: string;
  /** How the user named the org (-o), for commands quoted in messages. */
  targetOrg: string;
};

/** The profile a new integration user gets when --profile is not given (seed 000). */

export function computePlan(footprint: Footprint, snapshot: InstallSnapshot, options: PlanOptions): InstallPlan {
  const warnings: string[] = [];
  const diff = diffFootprint(footprint, snapshot, integrationPermissionSet(footprint));
  const deploy = diff.changes.length > 0;
  if (deploy && !snapshot.runningUser.canModifyMetadata) {
    throw installError('MissingModifyMetadata', [snapshot.runningUser.username]);
  }

  const user = planUser(snapshot, options, warnings);
  const assignments = planAssignments(snapshot, user, warnings);
  const userWrites = user.action !== 'use' || assignments.permissionSet === 'assign' || assignments.permissionSetLicence === 'assign';
  if (userWrites && !snapshot.runningUser.canManageUsers) {
    throw installError('MissingManageUsers', [snapshot.runningUser.username]);
  }

  const changeCount =
    diff.changes.length +
    (user.action === 'use' ? 0 : 1) +
    (assignments.permissionSetLicence === 'assign' ? 1 : 0) +
    (assignments.permissionSet === 'assign' ? 1 : 0);
  return {
    org: snapshot.org,
    footprint: { deploy, changes: diff.changes, pendingActivation: diff.pendingActivation },
    user,
    assignments,
    keepInstallPermissions: options.keepInstallPermissions,
    changeCount,
    warnings,
  };
}

/** Find the integration user: --username, else the assignee of the permission set, else the default username. */
function planUser(snapshot: InstallSnapshot, options: PlanOptions, warnings: string[]): UserPlan {
  const byUsername = (name: string): UserRecord | undefined =>
    snapshot.users.find((u) => u.username.toLowerCase() === name.toLowerCase());

  if (options.username) {
    const sandboxName = snapshot.org.sandboxName;
    if (snapshot.org.isSandbox && sandboxName && !options.username.toLowerCase().endsWith(`.${sandboxName.toLowerCase()}`)) {
      warnings.push(messages.getMessage('warning.sandboxUsername', [options.username, sandboxName]));
    }
    const found = byUsername(options.username);
    if (found) return existingUser(found, 'username', snapshot, options, warnings);
    return newUser(options.username, snapshot, options, warnings);
  }

  const assignees = snapshot.users.filter((u) => snapshot.assigneeIds.includes(u.id));
  let chosen = assignees.length === 1 ? assignees[0] : undefined;
  if (assignees.length > 1) {
    // Prefer the one that looks like an integration user; anything else needs the admin to choose.
    const likely = assignees.filter((u) => u.isActive && u.licenceName === INTEGRATION_LICENCE);
    if (likely.length !== 1) {
      throw installError('AmbiguousIntegrationUser', [assignees.map((u) => u.username).join(', ')]);
    }
    chosen = likely[0];
  }
  if (chosen) return existingUser(chosen, 'assignment', snapshot, options, warnings);

  // A run interrupted after creating the user but before assigning it left the user under the default name.
  const previous = byUsername(options.defaultUsername);
  if (previous) return existingUser(previous, 'default-username', snapshot, options, warnings);
  return newUser(options.defaultUsername, snapshot, options, warnings);
}

function existingUser(
  user: UserRecord,
  foundBy: UserPlan['foundBy'],
  snapshot: InstallSnapshot,
  options: PlanOptions,
  warnings: string[]
): UserPlan {
  refuseUnsuitable(user, snapshot, options);
  if (user.licenceName && user.licenceName !== INTEGRATION_LICENCE) {
    warnings.push(messages.getMessage('warning.userProfile', [user.username, user.profileName ?? '?', user.licenceName]));
  }
  if (!user.isActive) {
    // An inactive user holds no licence: reactivating takes one.
    const licence = snapshot.profiles.find((p) => p.id === user.profileId)?.licence;
    if (licence && licence.used >= licence.total) {
      throw installError('NoFreeIntegrationLicence', [licence.used, licence.total, 'reactivated']);
    }
  }
  return {
    action: user.isActive ? 'use' : 'reactivate',
    username: user.username,
    id: user.id,
    email: user.email,
    foundBy,
    profile: user.profileName ? { id: user.profileId, name: user.profileName, licence: user.licenceName } : undefined,
    needsPsl: user.licenceName ? user.licenceName === INTEGRATION_LICENCE : snapshot.psl !== undefined,
  };
}

/**
 * Before anything changes: the integration user is never the person running the install, nor anyone holding
 * administrator or forbidden permissions outside Instruqt_Integration (it would fail its own audit, and uninstall
 * would have to deactivate an administrator).
 */
function refuseUnsuitable(user: UserRecord, snapshot: InstallSnapshot, options: PlanOptions): void {
  if (sameId(user.id, snapshot.runningUser.id) || user.username.toLowerCase() === snapshot.runningUser.username.toLowerCase()) {
    throw installError('RunningUserAsIntegrationUser', [user.username], [options.targetOrg]);
  }
  const grants = snapshot.powers?.[id15(user.id)] ?? [];
  if (grants.length) {
    throw installError('UnsuitableIntegrationUser', [user.username, describeGrants(grants)], [options.targetOrg]);
  }
}

function newUser(username: string, snapshot: InstallSnapshot, options: PlanOptions, warnings: string[]): UserPlan {
  const profile = chooseProfile(snapshot.profiles, options, warnings);
  if (options.profile && snapshot.profilePowers?.length) {
    throw installError('UnsuitableProfile', [profile.name, describeGrants(snapshot.profilePowers)], [options.targetOrg]);
  }
  const licence = profile.licence;
  if (licence && licence.used >= licence.total) {
    if (licence.name === INTEGRATION_LICENCE) {
      throw installError('NoFreeIntegrationLicence', [licence.used, licence.total, 'created']);
    }
  }
  return {
    action: 'create',
    username,
    email: options.email ?? snapshot.runningUser.email,
    profile: { id: profile.id, name: profile.name, licence: licence?.name },
    needsPsl: licence?.name === INTEGRATION_LICENCE,
  };
}

function chooseProfile(profiles: ProfileRecord[], options: PlanOptions, warnings: string[]): ProfileRecord {
  if (options.profile) {
    const named = profiles.find((p) => p.name.toLowerCase() === options.profile?.toLowerCase());
    if (!named) throw installError('ProfileNotFound', [options.profile], [options.targetOrg]);
    if (named.licence?.name !== INTEGRATION_LICENCE) {
      warnings.push(messages.getMessage('warning.profileOverride', [named.name, named.licence?.name ?? '?']));
    }
    return named;
  }
  // Looked up by licence: the profile's name changed over releases ("Salesforce API Only System Integrations").
  const integration = profiles.filter((p) => p.licence?.name === INTEGRATION_LICENCE);
  const preferred = integration.find((p) => p.name === INTEGRATION_PROFILE) ?? integration[0];
  if (!preferred) throw installError('NoIntegrationProfile');
  return preferred;
}

function planAssignments(snapshot: InstallSnapshot, user: UserPlan, warnings: string[]): AssignmentPlan {
  const assigned = (ids: string[]): boolean => user.id !== undefined && ids.includes(user.id);
  const permissionSet = assigned(snapshot.assigneeIds) ? 'present' : 'assign';
  if (!user.needsPsl) {
    if (user.profile?.licence) warnings.push(messages.getMessage('warning.noPsl', [user.profile.licence]));
    return { permissionSetLicence: 'not-applicable', permissionSet };
  }
  const psl = snapshot.psl;
  if (!psl) throw installError('PslNotFound');
  if (assigned(snapshot.pslAssigneeIds)) return { permissionSetLicence: 'present', permissionSet, pslId: psl.id };
  if (psl.used >= psl.total) throw installError('NoFreePsl', [psl.used, psl.total]);
  return { permissionSetLicence: 'assign', permissionSet, pslId: psl.id };
}

/** The plan as lines for a person. */
export function describePlan(plan: InstallPlan): string[] {
  const org = plan.org;
  const lines = [
    messages.getMessage('plan.header', [
      org.name || org.id,
      org.id,
      messages.getMessage(org.isSandbox ? 'plan.sandbox' : 'plan.production'),
    ]),
  ];
  lines.push(
    plan.footprint.deploy
      ? messages.getMessage('plan.deploy', [plan.footprint.changes.join('; ')])
      : messages.getMessage('plan.deploy.none')
  );
  if (plan.footprint.pendingActivation.length) {
    lines.push(messages.getMessage('plan.pending', [plan.footprint.pendingActivation.join(', ')]));
  }
  const u = plan.user;
  if (u.action === 'create') {
    lines.push(
      messages.getMessage('plan.user.create', [u.username, u.profile?.name ?? '?', u.profile?.licence ?? '?', u.email])
    );
  } else if (u.action === 'reactivate') {
    lines.push(messages.getMessage('plan.user.reactivate', [u.username]));
  } else {
    lines.push(messages.getMessage('plan.user.use', [u.username, u.foundBy ?? '']));
  }
  const a = plan.assignments;
  if (a.permissionSetLicence === 'assign') lines.push(messages.getMessage('plan.assign.psl', [INTEGRATION_PSL_LABEL]));
  if (a.permissionSet === 'assign') lines.push(messages.getMessage('plan.assign.ps', [INTEGRATION_PERMISSION_SET]));
  if (a.permissionSetLicence !== 'assign' && a.permissionSet !== 'assign') lines.push(messages.getMessage('plan.assign.none'));
  lines.push(messages.getMessage(plan.keepInstallPermissions ? 'plan.converge.keep' : 'plan.converge'));
  return lines;
}
