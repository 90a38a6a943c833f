import { AuthInfo, Connection } from '@salesforce/core';
import { startLocalOrg } from '../../emulator/index.js';
import { SalesforceClient } from '../../src/salesforce/client.js';
import { auditIntegration, loadPolicy, reduceIntegration } from '../../src/perms/index.js';

const local = await startLocalOrg();
const authInfo = await AuthInfo.create({
  accessTokenOptions: { accessToken: local.adminToken, instanceUrl: local.instanceUrl, loginUrl: local.instanceUrl },
});
const conn = await Connection.create({ authInfo });
const client = new SalesforceClient(conn);
const org = local.org;
// integration user
const profile = org.query('Profile', (r) => r.Name === 'Minimum Access - API Only Integrations')[0];
const user = org.insert('User', { Username: 'instruqt@probe.com', Email: 'i@x.com', LastName: 'Integration', Alias: 'instr', TimeZoneSidKey: 'America/Los_Angeles', LocaleSidKey: 'en_US', EmailEncodingKey: 'UTF-8', LanguageLocaleKey: 'en_US', ProfileId: profile.Id });
const ps = org.insert('PermissionSet', { Name: 'Instruqt_Integration', Label: 'Instruqt Integration', PermissionsCustomizeApplication: true, PermissionsModifyMetadata: true, PermissionsViewAllData: true, PermissionsViewSetup: true, PermissionsManageCustomPermissions: true, PermissionsViewPlatformEvents: true, PermissionsViewPublicReports: true, PermissionsViewEventLogFiles: true, PermissionsViewPublicDashboards: true, PermissionsViewDataLeakageEvents: true });
org.insert('PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id });
const policy = loadPolicy();
const result = await auditIntegration(client, { policy });
console.log(JSON.stringify(result.users.map((u) => u.findings.map((f) => `${f.id} ${f.sources.map((s) => s.name).join(',')}`)), null, 1), result.apiCalls, result.warnings);
const red = await reduceIntegration(client, { policy });
console.log(JSON.stringify(red.applied.map((a) => `${a.status} ${a.description} ${a.error ?? ''}`), null, 1));
console.log(JSON.stringify(red.after?.users.map((u) => u.findings.map((f) => f.id))), red.after?.warnings);
await local.stop();
