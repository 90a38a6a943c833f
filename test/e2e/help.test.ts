/*
 * Every command's --help lists the exit codes the command can end with (src/exit-codes.ts), each with its meaning:
 * the real sf CLI prints them from the plugin's manifest, which must carry them for every command.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { repoRoot, SfRunner } from '../helpers/sf.js';
import { COMMAND_EXIT_CODES, exitCodeDescriptions, type CommandName } from '../../src/exit-codes.js';

type HelpSection = { header: string; body: Array<{ name: string; description: string }> };
type Manifest = { commands: Record<string, { errorCodes?: HelpSection }> };

describe('exit codes in --help', () => {
  it('sf instruqt sync --help prints an EXIT CODES section with each code and its meaning', async () => {
    const r = await SfRunner.get().run(['instruqt', 'sync', '--help']);
    expect(r.code, r.stderr).to.equal(0);
    const at = r.stdout.indexOf('EXIT CODES');
    expect(at, r.stdout).to.be.greaterThan(-1);
    // Help wraps long lines: compare words, not layout.
    const section = r.stdout.slice(at).replace(/\s+/g, ' ');
    for (const [code, meaning] of Object.entries(exitCodeDescriptions('sync'))) {
      expect(section).to.include(`${code} ${meaning.split(' ').slice(0, 4).join(' ')}`);
    }
  });

  it('every command of the plugin declares its exit codes, and the manifest --help reads carries them', () => {
    SfRunner.get(); // builds the manifest when sources changed
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8')) as Manifest;
    const ids = Object.keys(manifest.commands).sort();
    const declared = (Object.keys(COMMAND_EXIT_CODES) as CommandName[]).map((c) => `instruqt:${c.replace('.', ':')}`).sort();
    expect(ids).to.deep.equal(declared);
    for (const command of Object.keys(COMMAND_EXIT_CODES) as CommandName[]) {
      const section = manifest.commands[`instruqt:${command.replace('.', ':')}`].errorCodes;
      expect(section?.header, command).to.equal('EXIT CODES');
      const listed = Object.fromEntries((section?.body ?? []).map((e) => [e.name, e.description]));
      expect(listed, command).to.deep.equal(exitCodeDescriptions(command));
      expect(Object.keys(listed), command).to.include.members(['0', '1']);
    }
  });
});
