/*
 * `npm run org -- --json`: the local org as a separate process, the way the demo and a person start it.
 */
import { expect } from 'chai';
import { startCli, stopCli } from '../helpers/cli-process.js';

describe('local org command line (npm run org)', () => {
  it('prints one JSON line once listening, serves the API with the given limit and stops on SIGTERM', async () => {
    const { child, info } = await startCli<{ instanceUrl: string; accessToken: string; username: string; orgId: string }>(
      'emulator/cli.ts',
      ['--daily-api-limit', '7']
    );
    let code: number | null | undefined;
    try {
      expect(Object.keys(info)).to.deep.equal(['instanceUrl', 'accessToken', 'username', 'orgId']);
      expect(info.instanceUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(info.accessToken).to.match(/^00D\w{12,15}![.\w]*$/);
      const res = await fetch(`${info.instanceUrl}/services/data/v65.0/limits`, {
        headers: { Authorization: `Bearer ${info.accessToken}` },
      });
      expect(res.status).to.equal(200);
      expect(res.headers.get('sforce-limit-info')).to.equal('api-usage=1/7');
    } finally {
      code = await stopCli(child);
    }
    expect(code).to.equal(0);
  });

  it('starts with an active Lead duplicate rule with --lead-duplicate-rule', async () => {
    const { child, info } = await startCli<{ instanceUrl: string; accessToken: string }>('emulator/cli.ts', ['--lead-duplicate-rule']);
    try {
      const create = (): Promise<Response> =>
        fetch(`${info.instanceUrl}/services/data/v65.0/sobjects/Lead`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${info.accessToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ LastName: 'Twice', Company: 'Acme', Email: 'twice@example.com' }),
        });
      expect((await create()).status).to.equal(201);
      const refused = await create();
      expect(refused.status).to.equal(400);
      expect(((await refused.json()) as Array<{ errorCode: string }>)[0].errorCode).to.equal('DUPLICATES_DETECTED');
    } finally {
      await stopCli(child);
    }
  });
});
