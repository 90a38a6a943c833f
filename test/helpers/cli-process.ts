/*
 * The local org's and the Instruqt stand-in's command lines as separate processes, as the demo and outside checks start
 * them: `node --import tsx <script> --port 0 --json ...`, and the one JSON line each prints once it listens.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

export type CliProcess<T> = { child: ChildProcessWithoutNullStreams; info: T };

/** Start `script` (relative to the repository) with `--port 0 --json` and `args`; resolves with its first JSON line. */
export async function startCli<T>(script: string, args: string[]): Promise<CliProcess<T>> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--port', '0', '--json', ...args], {
    cwd: repo,
    stdio: ['pipe', 'pipe', 'inherit'],
  }) as unknown as ChildProcessWithoutNullStreams;
  let out = '';
  child.stdout.setEncoding('utf8');
  try {
    while (!out.includes('\n')) {
      // eslint-disable-next-line no-await-in-loop
      const [chunk] = (await once(child.stdout, 'data')) as [string];
      out += chunk;
    }
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  return { child, info: JSON.parse(out.split('\n')[0]) as T };
}

/** SIGTERM, then the exit code. */
export async function stopCli(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  const exited = once(child, 'exit') as Promise<[number | null]>;
  child.kill('SIGTERM');
  const [code] = await exited;
  return code;
}
