/*
 * `npm run instruqt -- --json [--data file]`: the local Instruqt API as a separate process (a contract outside checks
 * use), serving schema.graphql with the seeded or given data, 401 on a wrong key and 429 on demand.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { seedData } from '../../emulator/instruqt/data.js';
import { startCli, stopCli } from '../helpers/cli-process.js';

describe('local Instruqt API command line (npm run instruqt)', () => {
  it('prints its URL and key once listening, serves --data, answers 401 to a wrong key and 429 on demand', async () => {
    const data = seedData();
    data.team = 'from-file';
    const file = join(mkdtempSync(join(tmpdir(), 'iq-data-')), 'data.json');
    writeFileSync(file, JSON.stringify(data));
    const { child, info } = await startCli<{ url: string; apiKey: string; team: string; plays: number }>('emulator/instruqt/cli.ts', [
      '--data',
      file,
    ]);
    let code: number | null | undefined;
    try {
      expect(info).to.include({ team: 'from-file', plays: 4 });
      expect(info.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
      const ask = (key: string): Promise<Response> =>
        fetch(info.url, {
          method: 'POST',
          headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({
            query: 'query($t: String!) { playReports(input: {teamSlug: $t, playType: ALL}) { totalItems } }',
            variables: { t: 'from-file' },
          }),
        });
      expect((await ask('wrong')).status).to.equal(401);
      const ok = await ask(info.apiKey);
      expect(await ok.json()).to.deep.equal({ data: { playReports: { totalItems: 4 } } });
      const base = info.url.replace(/\/graphql$/, '');
      await fetch(`${base}/local/faults`, { method: 'PUT', body: JSON.stringify({ status: 429, count: 1, retryAfterSeconds: 3 }) });
      const limited = await ask(info.apiKey);
      expect(limited.status).to.equal(429);
      expect(limited.headers.get('retry-after')).to.equal('3');
      expect((await ask(info.apiKey)).status).to.equal(200);
    } finally {
      code = await stopCli(child);
    }
    expect(code).to.equal(0);
  });
});
