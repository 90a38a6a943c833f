/*
 * The org's vocabulary: the API names and labels the integration creates or relies on in an org, in one place so a
 * rename is one edit. Plain constants; no Salesforce calls.
 */

/** The integration user's permission set (force-app). */
export const INTEGRATION_PERMISSION_SET = 'Instruqt_Integration';
/** The read-only permission set for people who look at plays (force-app). */
export const VIEWER_PERMISSION_SET = 'Instruqt_Viewer';

/** The External Client App --jwt-cert creates (and uninstall --purge removes). */
export const EXTERNAL_CLIENT_APP = 'Instruqt_Integration';

/** The user licence of the integration user (salesforce-reference.md). */
export const INTEGRATION_LICENCE = 'Salesforce Integration';
/** MasterLabel and DeveloperName of the integration permission set licence (salesforce-reference.md). */
export const INTEGRATION_PSL_LABEL = 'Salesforce API Integration';
export const INTEGRATION_PSL_NAME = 'SalesforceAPIIntegrationPsl';
/** The API-only profile the integration user gets when the org has it. */
export const INTEGRATION_PROFILE = 'Minimum Access - API Only Integrations';

/** The two custom objects of force-app. */
export const PLAY_OBJECT = 'Instruqt_Play__c';
export const TRACK_OBJECT = 'Instruqt_Track__c';
