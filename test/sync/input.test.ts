import { Readable } from 'node:stream';
import { expect } from 'chai';
import { readInput, type InputLine } from '../../src/sync/input.js';
import { validateEvent } from '../../src/sync/events.js';

async function readAll(text: string | string[]): Promise<InputLine[]> {
  const out: InputLine[] = [];
  const chunks = Array.isArray(text) ? text : [text];
  for await (const item of readInput(Readable.from(chunks.map((c) => Buffer.from(c))))) out.push(item);
  return out;
}

const started = (id: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    id,
    type: 'track.started',
    timestamp: '2026-11-20T10:00:00Z',
    participant: { id: 'p-1', email: 'ada@example.com' },
    track: { slug: 'k8s', title: 'Kubernetes 101' },
    play: { id: 'play-1' },
    ...extra,
  });

describe('sync input', () => {
  it('numbers every line, skips blank ones and keeps going after a bad one', async () => {
    const lines = await readAll(`${started('e1')}\n\nnot json\n${started('e2')}\n`);
    expect(lines.map((l) => [l.line, l.ok])).to.deep.equal([
      [1, true],
      [3, false],
      [4, true],
    ]);
    const bad = lines[1];
    expect(bad.ok).to.equal(false);
    if (!bad.ok) expect(bad.reason).to.match(/^not valid JSON/);
  });

  it('joins lines split across chunks, handles CRLF, a BOM and a last line without newline', async () => {
    const text = `\uFEFF${started('e1')}\r\n${started('e2')}`;
    const lines = await readAll([text.slice(0, 17), text.slice(17, 140), text.slice(140)]);
    expect(lines.map((l) => l.ok)).to.deep.equal([true, true]);
  });

  it('ignores unknown extra properties', async () => {
    const [l] = await readAll(started('e1', { extra: { deep: true }, another: 1 }) + '\n');
    expect(l.ok).to.equal(true);
  });
});

describe('sync event validation', () => {
  const base = JSON.parse(started('e1')) as Record<string, unknown>;
  const reasonOf = (raw: unknown): string => {
    const v = validateEvent(raw, 7);
    return v.ok ? 'ok' : v.reason;
  };

  it('accepts the four documented types', () => {
    expect(reasonOf(base)).to.equal('ok');
    expect(
      reasonOf({
        id: 'e0',
        type: 'invite.submitted',
        timestamp: '2026-11-20T10:00:00Z',
        participant: { id: 'p-1', email: "O'Brien@Example.com", firstName: 'Ada', lastName: 'Lovelace' },
        invite: { id: 'inv-9', url: 'https://play.instruqt.com/x' },
      })
    ).to.equal('ok');
    expect(reasonOf({ ...base, type: 'track.completed', play: { id: 'play-1', timeSpentSeconds: 1834 } })).to.equal('ok');
    expect(reasonOf({ ...base, type: 'review.submitted', review: { score: 4, comment: 'Great lab' } })).to.equal('ok');
  });

  it('rejects each missing piece with a reason naming it', () => {
    expect(reasonOf([])).to.match(/JSON object/);
    expect(reasonOf({ ...base, id: undefined })).to.match(/event.id is required/);
    expect(reasonOf({ ...base, type: 'track.paused' })).to.match(/not one of/);
    expect(reasonOf({ ...base, timestamp: 'yesterday' })).to.match(/ISO 8601/);
    expect(reasonOf({ ...base, participant: undefined })).to.match(/participant is required/);
    expect(reasonOf({ ...base, participant: { email: 'a@b.co' } })).to.match(/participant.id is required/);
    expect(reasonOf({ ...base, participant: { id: 'p', email: 'nope' } })).to.match(/not an email/);
    expect(reasonOf({ ...base, track: undefined })).to.match(/track is required/);
    expect(reasonOf({ ...base, play: { id: 'a\nb' } })).to.match(/control characters/);
    expect(reasonOf({ ...base, type: 'track.completed', play: { id: 'p' } })).to.match(/timeSpentSeconds is required/);
    expect(reasonOf({ ...base, type: 'review.submitted', review: {} })).to.match(/score or a comment/);
    expect(reasonOf({ ...base, type: 'review.submitted', review: { score: 'four' } })).to.match(/review.score must be a number/);
    expect(
      reasonOf({ ...base, type: 'invite.submitted', participant: { id: 'p', email: 'a@b.co', firstName: 'A' } })
    ).to.match(/lastName is required/);
  });

  it('takes blank and null values as absent, trims the rest and ignores what the type does not use', () => {
    const v = validateEvent({ ...base, participant: { id: ' p-1 ', email: null, firstName: '  ' }, review: 'not read' }, 7);
    expect(v.ok && v.event.participant).to.deep.include({ id: 'p-1', email: undefined, firstName: undefined });
    expect(reasonOf({ ...base, id: '   ' })).to.equal('event.id is required');
    expect(reasonOf({ ...base, type: ' track.started' })).to.match(/^event.type " track.started" is not one of/);
    expect(reasonOf({ ...base, track: 'k8s' })).to.equal('event.track is required and must be an object (the Play belongs to a track)');
    expect(reasonOf({ ...base, participant: { id: 'p', phone: 5 } })).to.equal('participant.phone must be a string');
  });

  it('reports the first fault in the order id, type, timestamp, participant, play, track', () => {
    expect(reasonOf({ ...base, id: undefined, timestamp: 'x' })).to.equal('event.id is required');
    expect(reasonOf({ ...base, timestamp: 'x', participant: {} })).to.match(/^event.timestamp is not an ISO 8601/);
    expect(reasonOf({ ...base, play: undefined, track: undefined })).to.match(/^event.play is required/);
  });

  it('accepts a score that does not fit Score__c: that is handled when planning, visibly', () => {
    expect(reasonOf({ ...base, type: 'review.submitted', review: { score: 12 } })).to.equal('ok');
  });
});

describe('sync input schema (schemas/instruqt-sync-input.json)', () => {
  it('accepts the documented events and refuses what validation refuses', async () => {
    const { readFileSync } = await import('node:fs');
    const { Ajv } = await import('ajv');
    const schema = JSON.parse(readFileSync(new URL('../../schemas/instruqt-sync-input.json', import.meta.url), 'utf8')) as object;
    const validate = new Ajv({ strict: false, logger: false }).compile(schema);
    const ok = JSON.parse(started('e1')) as Record<string, unknown>;
    expect(validate(ok)).to.equal(true);
    expect(validate({ ...ok, type: 'track.completed' })).to.equal(false);
    expect(validate({ ...ok, type: 'track.completed', play: { id: 'p', timeSpentSeconds: 5 } })).to.equal(true);
    expect(validate({ ...ok, type: 'review.submitted', review: {} })).to.equal(false);
    expect(validate({ ...ok, type: 'invite.submitted', participant: { id: 'p', email: 'a@b.co' } })).to.equal(false);
    expect(validate({ ...ok, participant: undefined })).to.equal(false);
  });
});

describe('sync input decoding', () => {
  it('rejects a line that is not UTF-8 or holds binary data, by number, and keeps control characters out of reasons', async () => {
    const out: InputLine[] = [];
    const bytes = Buffer.concat([Buffer.from('{"a":1}\n'), Buffer.from([0x7b, 0xe9, 0x7d, 0x0a]), Buffer.from([0x00, 0x01, 0x0a]), Buffer.from('\u001b[2J\n')]);
    for await (const item of readInput(Readable.from([bytes]))) out.push(item);
    const reasons = out.map((l) => (l.ok ? 'ok' : `${l.line}: ${l.reason}`));
    expect(reasons[1]).to.match(/^2: not valid UTF-8 text \(at byte 2\)/);
    expect(reasons[2]).to.match(/^3: binary data/);
    expect(reasons[3]).to.match(/^4: not valid JSON/);
    // eslint-disable-next-line no-control-regex
    expect(reasons.join('\n')).to.not.match(/[\u0000-\u0008\u000b-\u001f]/);
  });
});
