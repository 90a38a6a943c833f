/*
 * `npm run --silent org -- [--port N] [--json] [--latency-ms N] [--activation-delay-ms N] [--daily-api-limit N]
 * [--faults lock=0.05,unavailable=0.02,drop=0.01,concurrent=0.01,expire=N,seed=N] [--lead-duplicate-rule]`:
 * starts a local org and keeps it running until SIGINT/SIGTERM. With --json it prints one JSON line
 * {instanceUrl, accessToken, username, orgId} once it accepts requests; otherwise a short text for a person.
 */
import { parseArgs } from 'node:util';
import { parseFaultList, type FaultSettings } from './http/chaos.js';
import { startLocalOrg } from './index.js';

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`--${name} needs a non-negative number, got '${value}'\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      json: { type: 'boolean', default: false },
      'latency-ms': { type: 'string' },
      'activation-delay-ms': { type: 'string' },
      'daily-api-limit': { type: 'string' },
      'api-version': { type: 'string' },
      'org-name': { type: 'string' },
      sandbox: { type: 'boolean', default: false },
      faults: { type: 'string' },
      'lead-duplicate-rule': { type: 'boolean', default: false },
    },
    strict: true,
  });
  let faults: FaultSettings | undefined;
  try {
    faults = values.faults === undefined ? undefined : parseFaultList(values.faults);
  } catch (e) {
    process.stderr.write(`--faults: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
  const local = await startLocalOrg({
    faults,
    port: numberOption('port', values.port) ?? 0,
    host: values.host,
    latencyMs: numberOption('latency-ms', values['latency-ms']),
    activationDelayMs: numberOption('activation-delay-ms', values['activation-delay-ms']),
    dailyApiLimit: numberOption('daily-api-limit', values['daily-api-limit']),
    apiVersion: values['api-version'],
    orgName: values['org-name'],
    isSandbox: values.sandbox,
    leadDuplicateRule: values['lead-duplicate-rule'],
  });
  const info = { instanceUrl: local.instanceUrl, accessToken: local.adminToken, username: local.adminUsername, orgId: local.orgId };
  if (values.json) {
    process.stdout.write(JSON.stringify(info) + '\n');
  } else {
    process.stdout.write(
      [
        `Local Salesforce org listening on ${info.instanceUrl}`,
        `  org id:       ${info.orgId}`,
        `  username:     ${info.username}`,
        `  access token: ${info.accessToken}`,
        '',
        'Log the sf CLI into it with:',
        `  SF_ACCESS_TOKEN='${info.accessToken}' sf org login access-token --instance-url ${info.instanceUrl} --alias local --no-prompt`,
        '',
        'Press Ctrl+C to stop.',
        '',
      ].join('\n')
    );
  }
  const stop = (): void => {
    local.stop().then(
      () => process.exit(0),
      () => process.exit(1)
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
