/*
 * `npm run --silent instruqt -- [--port N] [--json] [--data file.json] [--api-key KEY] [--team SLUG]`: starts the
 * local Instruqt stand-in and keeps it running until SIGINT/SIGTERM. With --json it prints one JSON line
 * {url, apiKey, team, plays} once it accepts requests (url is what INSTRUQT_API_URL takes).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { seedData, type StandInData } from './data.js';
import { startInstruqtStandIn } from './server.js';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      json: { type: 'boolean', default: false },
      data: { type: 'string' },
      'api-key': { type: 'string' },
      team: { type: 'string' },
    },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0) fail(`--port needs a port number, got '${values.port}'`);
  let data: StandInData;
  if (values.data) {
    try {
      data = JSON.parse(readFileSync(values.data, 'utf8')) as StandInData;
    } catch (e) {
      fail(`--data ${values.data}: ${(e as Error).message}`);
    }
    if (!Array.isArray(data.plays) || !Array.isArray(data.users) || !Array.isArray(data.tracks) || typeof data.team !== 'string') {
      fail(`--data ${values.data}: needs {"team", "tracks": [], "users": [], "plays": []}`);
    }
  } else {
    data = seedData();
  }
  if (values.team) data.team = values.team;
  const standIn = await startInstruqtStandIn({ port, host: values.host, apiKey: values['api-key'], data });
  const info = { url: standIn.url, apiKey: standIn.apiKey, team: data.team, plays: data.plays.length };
  if (values.json) {
    process.stdout.write(JSON.stringify(info) + '\n');
  } else {
    process.stdout.write(
      [
        `Local Instruqt API listening on ${info.url} (team "${info.team}", ${info.plays} plays)`,
        '',
        'Point the sync at it with:',
        `  INSTRUQT_API_URL=${info.url} INSTRUQT_API_KEY=${info.apiKey} sf instruqt sync -o <alias> --source instruqt --team ${info.team} --since 2020-01-01T00:00:00Z`,
        '',
        `429 on demand: curl -X PUT ${info.url.replace(/\/graphql$/, '')}/local/faults -d '{"status":429,"count":2,"retryAfterSeconds":1}'`,
        'Press Ctrl+C to stop.',
        '',
      ].join('\n')
    );
  }
  const stop = (): void => {
    void standIn.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
