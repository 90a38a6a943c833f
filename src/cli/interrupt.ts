/*
 * Ctrl-C (and SIGTERM, SIGHUP) during a long command: undo what only this process holds (a lock, a half-written
 * temporary file), say how to continue, and exit 130 without a stack trace. The sf command base class would throw
 * from its own signal listener, so it is replaced for the duration of the command.
 */
import { ExitCode } from '../exit-codes.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const EXIT_INTERRUPTED = ExitCode.Interrupted;

export type InterruptOptions = {
  /** Synchronous: the process exits right after. */
  cleanup?: () => void;
  /** What to tell the person (or the JSON envelope's message). */
  message: string;
  json: boolean;
};

/** Install the handler; call the returned function to restore the previous listeners. */
export function exitOnInterrupt(options: InterruptOptions): () => void {
  const saved = new Map(SIGNALS.map((s) => [s, process.listeners(s)]));
  const handler = (signal: NodeJS.Signals): void => {
    try {
      options.cleanup?.();
    } finally {
      if (options.json) {
        const envelope = { status: EXIT_INTERRUPTED, name: 'Interrupted', message: options.message, exitCode: EXIT_INTERRUPTED, signal };
        process.stdout.write(JSON.stringify(envelope, null, 2) + '\n');
      } else {
        process.stderr.write(`\n${options.message}\n`);
      }
      process.exit(EXIT_INTERRUPTED);
    }
  };
  for (const s of SIGNALS) {
    process.removeAllListeners(s);
    process.on(s, handler);
  }
  return () => {
    for (const s of SIGNALS) {
      process.off(s, handler);
      for (const listener of saved.get(s) ?? []) process.on(s, listener as (...args: unknown[]) => void);
    }
  };
}
