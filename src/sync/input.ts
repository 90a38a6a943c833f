/*
 * Streaming NDJSON reader: one event per line from a file or stdin, in constant memory.
 * Every line comes out numbered, either as a validated event or as a rejection with its reason; reading goes on.
 * Lines are split as bytes and decoded strictly: invalid UTF-8 or binary data rejects its line instead of turning
 * into U+FFFD in a Lead's name, and no reason ever carries a control character to the terminal.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { validateEvent, type SyncEvent } from './events.js';

export type InputLine =
  | { line: number; ok: true; event: SyncEvent; text: string }
  | { line: number; ok: false; reason: string; text: string };

/** A numbered, decoded, trimmed non-blank line, or the reason it is not text. */
export type RawLine = { line: number; text: string; reason?: string };

/** Lines longer than this are rejected without parsing (a corrupt export must not exhaust memory). */
export const MAX_LINE_CHARS = 1_000_000;

/** The input stream for `--file`: a path, or '-' for stdin. */
export function openInput(file: string): Readable {
  return file === '-' ? process.stdin : createReadStream(file);
}

/** Control characters shown as \xNN, so a reason or an excerpt is safe to print. */
export function printable(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const safe = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return safe.length > max ? `${safe.slice(0, max)}...` : safe;
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
    return { line, ok: false, reason: `not valid JSON: ${printable((e as Error).message)}`, text };
  }
  const v = validateEvent(raw, line);
  return v.ok ? { line, ok: true, event: v.event, text } : { line, ok: false, reason: v.reason, text };
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decode one line's bytes, or say why it is not UTF-8 text. */
function decodeLine(bytes: Buffer, line: number): RawLine {
  const nul = bytes.indexOf(0);
  // Rejected lines keep their lossy text: for the failed-records file (JSON-escaped) and to tell a fixed line apart.
  if (nul >= 0) return { line, text: bytes.toString('utf8'), reason: `binary data, not text (byte 0x00 at column ${nul + 1})` };
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes) + 1;
    return { line, text: bytes.toString('utf8'), reason: `not valid UTF-8 text (at byte ${at}); save the export as UTF-8` };
  }
  // A UTF-8 byte order mark on the first line is not part of the JSON.
  return { line, text: (line === 1 ? text.replace(/^\uFEFF/, '') : text).trim() };
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (n === 0) return i;
    try {
      decoder.decode(bytes.subarray(i, i + n));
    } catch {
      return i;
    }
    i += n;
  }
  return 0;
}

/**
 * Every non-blank line of the stream, numbered from 1 (blank lines keep their number but yield nothing), decoded.
 * The stream's own async iterator gives backpressure: input is read only as fast as the consumer pulls, and only
 * the current chunk and line are held in memory.
 */
export async function* readLines(stream: Readable): AsyncGenerator<RawLine> {
  let line = 0;
  let rest = Buffer.alloc(0);
  // True while discarding the remainder of an over-long line that was already reported.
  let skipping = false;
  const emit = (bytes: Buffer): RawLine | undefined => {
    line++;
    const decoded = decodeLine(bytes, line);
    return decoded.reason !== undefined || decoded.text !== '' ? decoded : undefined;
  };
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    rest = rest.length ? Buffer.concat([rest, Buffer.from(chunk)]) : Buffer.from(chunk);
    let from = 0;
    let at = rest.indexOf(10);
    if (skipping) {
      if (at < 0) {
        rest = Buffer.alloc(0);
        continue;
      }
      skipping = false;
      from = at + 1;
      at = rest.indexOf(10, from);
    }
    while (at >= 0) {
      const item = emit(rest.subarray(from, at));
      if (item) yield item;
      from = at + 1;
      at = rest.indexOf(10, from);
    }
    rest = rest.subarray(from);
    // Bytes, not characters: a line of multi-byte text is cut a little earlier, never later.
    if (rest.length > MAX_LINE_CHARS * 4) {
      line++;
      yield { line, text: '', reason: `line is longer than ${MAX_LINE_CHARS} characters` };
      rest = Buffer.alloc(0);
      skipping = true;
    }
  }
  if (rest.length && !skipping) {
    const item = emit(rest);
    if (item) yield item;
  }
}

/** Every non-blank line as an event or a rejection with its reason. */
export async function* readInput(stream: Readable): AsyncGenerator<InputLine> {
  for await (const raw of readLines(stream)) {
    yield raw.reason ? { line: raw.line, ok: false, reason: raw.reason, text: raw.text } : parseLine(raw.text, raw.line);
  }
}
