import { startE2EOrg } from '../helpers/org.js';
import { repoRoot } from '../helpers/sf.js';
const e2e = await startE2EOrg();
await e2e.sf.run(['project', 'deploy', 'start', '--source-dir', 'force-app/main/default/objects', '--target-org', e2e.alias], { cwd: repoRoot });
const { org } = e2e.local;
const profile = org.query('Profile', (r) => r.Name === 'Minimum Access - API Only Integrations')[0];
const user = org.insert('User', { Username: `instruqt-${Date.now()}@example.com`, Email: 'i@x.com', LastName: 'Integration', Alias: 'instr', TimeZoneSidKey: 'America/Los_Angeles', LocaleSidKey: 'en_US', EmailEncodingKey: 'UTF-8', LanguageLocaleKey: 'en_US', ProfileId: profile.Id });
const psl = org.query('PermissionSetLicense', (r) => r.DeveloperName === 'SalesforceAPIIntegrationPsl')[0];
org.insert('PermissionSetLicenseAssign', { AssigneeId: user.Id, PermissionSetLicenseId: psl.Id });
const ps = org.insert('PermissionSet', { Name: 'Instruqt_Integration', Label: 'Instruqt Integration', PermissionsCustomizeApplication: true, PermissionsModifyMetadata: true, PermissionsViewAllData: true, PermissionsViewSetup: true, PermissionsManageCustomPermissions: true, PermissionsViewPlatformEvents: true, PermissionsViewPublicReports: true, PermissionsViewEventLogFiles: true, PermissionsViewPublicDashboards: true, PermissionsViewDataLeakageEvents: true });
org.insert('ObjectPermissions', { ParentId: ps.Id, SobjectType: 'Lead', PermissionsRead: true, PermissionsCreate: true, PermissionsEdit: true, PermissionsViewAllRecords: true });
org.insert('PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id });
const other = org.insert('PermissionSet', { Name: 'Data_Team', Label: 'Data Team', PermissionsModifyAllData: true, PermissionsViewAllData: true, PermissionsViewSetup: true, PermissionsViewPlatformEvents: true, PermissionsViewPublicReports: true, PermissionsViewEventLogFiles: true, PermissionsViewPublicDashboards: true, PermissionsViewDataLeakageEvents: true });
org.insert('PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: other.Id });
for (const args of [['instruqt', 'perms', 'check', '-o', e2e.alias], ['instruqt', 'perms', 'reduce', '-o', e2e.alias, '--no-prompt']]) {
  const r = await e2e.sf.run(args);
  console.log(`$ sf ${args.join(' ')}  -> exit ${r.code}\n${r.stdout}\nSTDERR:\n${r.stderr}`);
}
await e2e.local.stop();
