/*
 * Test users made directly in a local org: a profile and, optionally, a permission set granting the given system
 * permissions (API names without the `Permissions` prefix).
 */
import type { OrgApi } from '../../emulator/core/types.js';

export function makeUser(org: OrgApi, profileName: string, permissions: string[] = []): string {
  const profile = org.query('Profile', (p) => p.Name === profileName)[0];
  const user = org.insert('User', {
    Username: `someone.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@acme.test`,
    Email: 'someone@acme.test',
    LastName: 'Someone',
    Alias: 'someone',
    TimeZoneSidKey: 'Europe/Amsterdam',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
    ProfileId: profile.Id,
  });
  if (permissions.length) {
    const ps = org.insert('PermissionSet', {
      Name: `Extra_${user.Id.slice(-6)}`,
      Label: 'Extra',
      ...Object.fromEntries(permissions.map((p) => [`Permissions${p}`, true])),
    });
    org.insert('PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id });
  }
  return user.Id;
}
