/*
 * The install's user-facing strings (messages/instruqt.install.md) and its errors: each SfError carries Salesforce's
 * context, actions that say what to do, and an exit code.
 */
import { Messages, SfError } from '@salesforce/core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
export const messages = Messages.loadMessages('plugin-instruqt', 'instruqt.install');

export type InstallErrorName =
  | 'NoFreeIntegrationLicence'
  | 'NoIntegrationProfile'
  | 'ProfileNotFound'
  | 'PslNotFound'
  | 'NoFreePsl'
  | 'DuplicateUsername'
  | 'AmbiguousIntegrationUser'
  | 'UserInactive'
  | 'MissingModifyMetadata'
  | 'MissingManageUsers'
  | 'ApiDisabled'
  | 'DeployFailed'
  | 'DeployTimeout'
  | 'ObjectsNotUsable'
  | 'AssignmentFailed'
  | 'UserCreateFailed'
  | 'Salesforce'
  | 'VerifyFailed'
  | 'RunningUserAsIntegrationUser'
  | 'UnsuitableIntegrationUser'
  | 'UnsuitableProfile'
  | 'MissingSetupAccess';

/** An error of a named kind from messages/instruqt.install.md (`error.<name>` and `error.<name>.actions`). */
export function installError(
  name: InstallErrorName,
  tokens: Array<string | number> = [],
  actionTokens: Array<string | number> = [],
  cause?: unknown
): SfError {
  return messages.createError(`error.${name}`, tokens.map(String), actionTokens.map(String), cause instanceof Error ? cause : undefined);
}
