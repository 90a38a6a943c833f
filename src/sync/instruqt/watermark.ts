/*
 * Where the last complete pull from Instruqt ended, per org and team: a small JSON file (mode 0600, no key, no record
 * data) in the sf state folder (~/.sf/instruqt-sync/instruqt-<orgId>-<team>.json). Written only after a run applied
 * everything, so a failed or stopped run is read again in full next time.
 */
import { mkdir, readFile, rename, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { Global } from '@salesforce/core';

export type Watermark = { version: 1; orgId: string; team: string; lastEnd: string; updatedAt: string };

export const defaultWatermarkDir = (): string => join(Global.SF_STATE_FOLDER, 'instruqt-sync');

export class WatermarkStore {
  public readonly file: string;

  public constructor(dir: string, private readonly orgId: string, private readonly team: string) {
    const safe = (s: string): string => s.replace(/[^\w-]/g, '_');
    this.file = join(dir, `instruqt-${safe(orgId)}-${safe(team)}.json`);
  }

  public async load(): Promise<Watermark | undefined> {
    try {
      const w = JSON.parse(await readFile(this.file, 'utf8')) as Watermark;
      const ok = w.version === 1 && w.orgId === this.orgId && w.team === this.team && !Number.isNaN(Date.parse(w.lastEnd));
      return ok ? w : undefined;
    } catch {
      return undefined;
    }
  }

  public async save(lastEnd: Date): Promise<void> {
    await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
    const data: Watermark = { version: 1, orgId: this.orgId, team: this.team, lastEnd: lastEnd.toISOString(), updatedAt: new Date().toISOString() };
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(data, null, 2), { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.file);
  }
}
