/*
 * `npm run demo`: starts the local org, logs the real sf CLI into it, and runs the plugin's commands against it the
 * way an admin would: install, audit, then a sync as the integration user that pulls plays from the local Instruqt
 * stand-in (emulator/instruqt), twice. Each step prints the command and its output.
 */
import { startLocalOrg } from '../emulator/index.js';
import { seedData } from '../emulator/instruqt/data.js';
import { startInstruqtStandIn } from '../emulator/instruqt/server.js';
import { SfRunner, repoRoot } from '../test/helpers/sf.js';

const sf = SfRunner.get();
const org = await startLocalOrg({ activationDelayMs: 1500, deployStepMs: 200 });
console.log(`Local org listening at ${org.instanceUrl} (org id ${org.orgId}, admin ${org.adminUsername})`);
const instruqt = await startInstruqtStandIn({ data: seedData() });
console.log(`Local Instruqt API listening at ${instruqt.url} (team ${instruqt.data.team})\n`);
// The key goes to the sync through the environment only, as in a scheduled job.
const instruqtEnv = { INSTRUQT_API_URL: instruqt.url, INSTRUQT_API_KEY: instruqt.apiKey };

async function step(title: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  console.log(`\n=== ${title}\n$ sf ${args.join(' ')}`);
  const result = await sf.run(args, { env, cwd: repoRoot, timeoutMs: 300_000 });
  process.stdout.write(result.stdout);
  process.stdout.write(result.stderr);
  console.log(`(exit ${result.code})`);
  return result.code;
}

let failures = 0;
try {
  failures += Number(
    (await step('Log the sf CLI into the local org', ['org', 'login', 'access-token', '--instance-url', org.instanceUrl, '--alias', 'demo-admin', '--no-prompt'], {
      SF_ACCESS_TOKEN: org.adminToken,
    })) !== 0
  );
  failures += Number((await step('The org as the CLI sees it', ['org', 'display', '-o', 'demo-admin'])) !== 0);
  failures += Number((await step('Install the Instruqt footprint', ['instruqt', 'install', '-o', 'demo-admin', '--no-prompt'])) !== 0);
  failures += Number((await step('Run it again: nothing to change', ['instruqt', 'install', '-o', 'demo-admin', '--no-prompt'])) !== 0);
  failures += Number((await step('Audit the integration user', ['instruqt', 'perms', 'check', '-o', 'demo-admin'])) !== 0);
  failures += Number((await step('Diagnose the installation', ['instruqt', 'doctor', '-o', 'demo-admin'])) !== 0);

  const users = org.org.query('User', (u) => u.Username !== org.adminUsername && u.IsActive === true);
  const integrationUser = users.find((u) => String(u.Username).includes('instruqt'));
  if (integrationUser) {
    await sf.login(org.instanceUrl, org.tokenFor(integrationUser.Id), 'demo-integration');
    const since = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const pull = ['instruqt', 'sync', '-o', 'demo-integration', '--source', 'instruqt', '--team', instruqt.data.team];
    failures += Number((await step('Pull plays from Instruqt as the integration user', [...pull, '--since', since], instruqtEnv)) !== 0);
    failures += Number((await step('The next scheduled run: nothing new, nothing written', pull, instruqtEnv)) !== 0);
    failures += Number(
      (await step('The plays in the org', ['data', 'query', '-o', 'demo-admin', '-q', 'SELECT Name, Lead__r.Email, Time_Spent__c, Score__c, Feedback__c FROM Instruqt_Play__c'])) !== 0
    );
  } else {
    console.log('\nNo integration user found: the install step did not complete.');
    failures++;
  }
} finally {
  await instruqt.stop();
  await org.stop();
}
console.log(failures ? `\nDemo finished with ${failures} failed step(s).` : '\nDemo finished: every step succeeded.');
process.exit(failures ? 1 : 0);
