/*
 * Salesforce's permission dependency rules, shared by Metadata API deploys and setup-object writes.
 * A permission that depends on others cannot be enabled without them ("Permission X depends on permission(s): Y"),
 * so the dependent permission has to be removed before what it depends on (salesforce-reference.md, Permissions).
 */

/** System permission -> the permissions it needs (API names, without the `Permissions` prefix). */
export const userPermissionDependencies: Readonly<Record<string, readonly string[]>> = {
  ViewAllData: [
    'ViewSetup',
    'ViewEventLogFiles',
    'ViewPublicDashboards',
    'ViewPublicReports',
    'ViewPlatformEvents',
    'ViewDataLeakageEvents',
  ],
  ModifyMetadata: ['ViewSetup'],
  CustomizeApplication: ['ViewSetup', 'ManageCustomPermissions'],
};

/** Object permission flags as ObjectPermissions fields, with the flags each one needs. */
export const objectPermissionDependencies: Readonly<Record<string, readonly string[]>> = {
  PermissionsCreate: ['PermissionsRead'],
  PermissionsEdit: ['PermissionsRead'],
  PermissionsDelete: ['PermissionsRead', 'PermissionsEdit'],
  PermissionsViewAllRecords: ['PermissionsRead'],
  PermissionsModifyAllRecords: [
    'PermissionsRead',
    'PermissionsEdit',
    'PermissionsDelete',
    'PermissionsViewAllRecords',
  ],
  PermissionsViewAllFields: ['PermissionsRead'],
};

export function dependencyMessage(permission: string, missing: string[]): string {
  return `Permission ${permission} depends on permission(s): ${missing.join(', ')}`;
}

/**
 * Problems with a set of enabled system permissions. `only` limits the check to rules touching those permissions
 * (a REST update is checked for what it changes, so an org seeded before a rule existed stays editable).
 */
export function userPermissionProblems(enabled: ReadonlySet<string>, only?: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const [permission, needs] of Object.entries(userPermissionDependencies)) {
    if (!enabled.has(permission)) continue;
    if (only && !only.has(permission) && !needs.some((n) => only.has(n))) continue;
    const missing = needs.filter((n) => !enabled.has(n));
    if (missing.length > 0) problems.push(dependencyMessage(permission, missing));
  }
  return problems;
}

/** Problems with one ObjectPermissions row (flags keyed by field name). */
export function objectPermissionProblems(flags: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [flag, needs] of Object.entries(objectPermissionDependencies)) {
    if (flags[flag] !== true) continue;
    const missing = needs.filter((n) => flags[n] !== true);
    if (missing.length > 0) {
      problems.push(dependencyMessage(strip(flag), missing.map(strip)));
    }
  }
  return problems;
}

export function fieldPermissionProblems(flags: Record<string, unknown>): string[] {
  return flags.PermissionsEdit === true && flags.PermissionsRead !== true
    ? [dependencyMessage('Edit', ['Read'])]
    : [];
}

function strip(flag: string): string {
  return flag.replace(/^Permissions/, '');
}
