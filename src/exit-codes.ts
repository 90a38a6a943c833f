/*
 * The exit codes of every command, as data: which codes a command can end with, their help text
 * (messages/exit-codes.md, shown under EXIT CODES in --help) and the one helper that sets them.
 * Depends only on @salesforce/core, @oclif/core and sf-plugins-core.
 */
import { Messages } from '@salesforce/core';
import type { HelpSection } from '@oclif/core';
import { toHelpSection } from '@salesforce/sf-plugins-core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-instruqt', 'exit-codes');

/** The sf convention: 0 success, 1 failure, 68 partial success, 130 interrupted (SIGINT, 128 + 2). */
export const ExitCode = { Ok: 0, Failed: 1, Partial: 68, Interrupted: 130 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Which codes each command can end with; the help text of each is `<command>.<code>` in messages/exit-codes.md. */
export const COMMAND_EXIT_CODES = {
  install: [ExitCode.Ok, ExitCode.Failed, ExitCode.Partial, ExitCode.Interrupted],
  'perms.check': [ExitCode.Ok, ExitCode.Failed],
  'perms.reduce': [ExitCode.Ok, ExitCode.Failed, ExitCode.Partial, ExitCode.Interrupted],
  sync: [ExitCode.Ok, ExitCode.Failed, ExitCode.Partial, ExitCode.Interrupted],
  doctor: [ExitCode.Ok, ExitCode.Failed],
  uninstall: [ExitCode.Ok, ExitCode.Failed, ExitCode.Partial, ExitCode.Interrupted],
} as const satisfies Record<string, readonly ExitCode[]>;

export type CommandName = keyof typeof COMMAND_EXIT_CODES;

/** The code with its meaning for this command, e.g. { '68': 'Some records failed ...' }. */
export function exitCodeDescriptions(command: CommandName): Record<string, string> {
  return Object.fromEntries(COMMAND_EXIT_CODES[command].map((code) => [String(code), messages.getMessage(`${command}.${code}`)]));
}

/** The EXIT CODES section of a command's --help (`static errorCodes`, as plugin-deploy-retrieve does). */
export function exitCodesHelp(command: CommandName): HelpSection {
  return toHelpSection('EXIT CODES', exitCodeDescriptions(command));
}

/** The one place a command's exit code is set; errors thrown as SfError carry theirs in `exitCode`. */
export function setExitCode(code: ExitCode): void {
  process.exitCode = code;
}
