/*
 * The remedy each finding names: a command (perms reduce, sf org assign permset) or the Setup path an admin follows.
 * Wording lives in messages/instruqt.perms.check.md; this module only picks the right remedy for the grant's source.
 */
import { resolve } from 'node:path';
import { Messages, type SfError } from '@salesforce/core';
import { defaultPolicyPath, loadPolicy, PolicyError, type Policy } from './policy.js';
import type { GrantSource } from './effective-permissions.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-instruqt', 'instruqt.perms.check');

export function text(key: string, tokens: Array<string | number> = []): string {
  return messages.getMessage(key, tokens);
}

const orgFlag = (org?: string): string => org ?? '<org>';

/** ` --policy "<file>"` when the audit ran against the admin's own policy, so the printed fix reduces against it too. */
export function policyArg(policy?: Policy): string {
  if (!policy?.path || resolve(policy.path) === resolve(defaultPolicyPath())) return '';
  return ` --policy "${policy.path}"`;
}

/** What a fix is about: the permission's label and where Setup shows it. */
export type FixTarget = {
  label: string;
  setupSection: 'system' | 'object' | 'field';
  /** Object API name (object and field permissions). */
  object?: string;
  /** What to tick or clear on that page: `Create, Edit`, `Edit on Email`; default: the label. */
  setting?: string;
};

/** Remedies for a permission that must go, one per source. */
export function removalFixes(
  sources: GrantSource[],
  what: FixTarget,
  user: string,
  org?: string,
  policy?: Policy
): string[] {
  const fixes: string[] = [];
  for (const s of sources) {
    if (s.kind === 'profile') {
      fixes.push(text('fix.profile', [s.name, sectionLabel(what), what.setting ?? what.label, user]));
    } else if (s.kind === 'permissionSet' && s.owned) {
      fixes.push(text('fix.reduce', [orgFlag(org), policyArg(policy)]));
      fixes.push(text('fix.permissionSet', [s.label, sectionLabel(what), what.setting ?? what.label]));
    } else if (s.kind === 'permissionSet') {
      fixes.push(text('fix.permissionSet', [s.label, sectionLabel(what), what.setting ?? what.label]));
      fixes.push(text('fix.unassign', [user, s.label, orgFlag(org), policyArg(policy)]));
    } else if (s.permissionSet?.owned) {
      fixes.push(text('fix.reduce', [orgFlag(org), policyArg(policy)]));
      fixes.push(text('fix.permissionSet', [s.permissionSet.label, sectionLabel(what), what.setting ?? what.label]));
    } else {
      fixes.push(text('fix.group', [s.label, what.label, s.permissionSet?.label ?? '?']));
      fixes.push(text('fix.unassignGroup', [user, s.label, orgFlag(org), policyArg(policy)]));
    }
  }
  return [...new Set(fixes)];
}

/** Remedies for a missing grant. */
export function grantFixes(
  what: FixTarget,
  ownSet: { name: string; label: string } | undefined,
  holdsOwnSet: boolean,
  user: string,
  org?: string,
  objectMissing?: string,
  policy?: Policy
): string[] {
  if (objectMissing) return [text('fix.install', [orgFlag(org)])];
  const fixes: string[] = [];
  if (!holdsOwnSet && ownSet) fixes.push(text('fix.assign', [ownSet.name, user, orgFlag(org)]));
  fixes.push(text('fix.reduce', [orgFlag(org), policyArg(policy)]));
  if (ownSet) fixes.push(text('fix.grant', [ownSet.label, sectionLabel(what), what.setting ?? what.label]));
  return fixes;
}

function sectionLabel(what: FixTarget): string {
  if (what.setupSection === 'system') return text('section.system');
  return text('section.object', [what.object ?? '']);
}

/** How a source reads in a table and in messages: `permission set "Broad" `, `group "G" (via "X")`, `profile "P"`. */
export function describeSource(s: GrantSource): string {
  if (s.kind === 'profile') return text('source.profile', [s.name]);
  if (s.kind === 'permissionSet') return text('source.permissionSet', [s.name]);
  return text('source.group', [s.name, s.permissionSet?.name ?? '?']);
}

/** The policy for a command: a bad file becomes an error that lists every problem. */
export function policyForCommand(path?: string): Policy {
  try {
    return loadPolicy(path);
  } catch (error) {
    throw policyCommandError(error);
  }
}

/** A PolicyError (a bad file, or names the org does not have) as the command's error listing every problem. */
export function policyCommandError(error: unknown): Error {
  if (!(error instanceof PolicyError)) return error as Error;
  const err: SfError = messages.createError('error.PolicyError', [error.message], [error.problems.join('; ') || error.path]);
  return err;
}
