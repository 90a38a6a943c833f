/*
 * Streaming NDJSON reader: one event per line from a file or stdin, in constant memory.
 * Every line comes out numbered, either as a validated event or as a rejection with its reason; reading goes on.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { validateEvent, type SyncEvent } from './events.js';

export type InputLine =
  | { line: number; ok: true; event: SyncEvent; text: string }
  | { line: number; ok: false; reason: string; text: string };

/** Lines longer than this are rejected without parsing (a corrupt export must not exhaust memory). */
export const MAX_LINE_CHARS = 1_000_000;

/** The input stream for `--file`: a path, or '-' for stdin. */
export function openInput(file: string): Readable {
  return file === '-' ? process.stdin : createReadStream(file, { encoding: 'utf8' });
}

/** Parse one line of text: JSON first, then the contract of its type. */
export function parseLine(text: string, line: number): InputLine {
  if (text.length > MAX_LINE_CHARS) {
    return { line, ok: false, reason: `line is longer than ${MAX_LINE_CHARS} characters`, text: text.slice(0, 200) };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { line, ok: false, reason: `not valid JSON: ${(e as Error).message}`, text };
  }
  const v = validateEvent(raw, line);
  return v.ok ? { line, ok: true, event: v.event, text } : { line, ok: false, reason: v.reason, text };
}

/**
 * Every non-blank line of the stream, numbered from 1 (blank lines keep their number but yield nothing).
 * The stream's own async iterator gives backpressure: input is read only as fast as the consumer pulls, and only
 * the current chunk and line are held in memory.
 */
export async function* readInput(stream: Readable): AsyncGenerator<InputLine> {
  stream.setEncoding('utf8');
  let line = 0;
  let rest = '';
  // True while discarding the remainder of an over-long line that was already reported.
  let skipping = false;
  const emit = (raw: string): InputLine | undefined => {
    line++;
    // A UTF-8 byte order mark on the first line is not part of the JSON.
    const text = (line === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
    return text === '' ? undefined : parseLine(text, line);
  };
  for await (const chunk of stream as AsyncIterable<string>) {
    rest += chunk;
    let from = 0;
    let at = rest.indexOf('\n');
    if (skipping) {
      if (at < 0) {
        rest = '';
        continue;
      }
      skipping = false;
      from = at + 1;
      at = rest.indexOf('\n', from);
    }
    while (at >= 0) {
      const item = emit(rest.slice(from, at));
      if (item) yield item;
      from = at + 1;
      at = rest.indexOf('\n', from);
    }
    rest = rest.slice(from);
    if (rest.length > MAX_LINE_CHARS) {
      line++;
      yield { line, ok: false, reason: `line is longer than ${MAX_LINE_CHARS} characters`, text: rest.slice(0, 200) };
      rest = '';
      skipping = true;
    }
  }
  if (rest !== '' && !skipping) {
    const item = emit(rest);
    if (item) yield item;
  }
}
