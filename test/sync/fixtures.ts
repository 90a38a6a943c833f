/*
 * Event builders for sync tests: the documented NDJSON shapes, with just enough to vary per test.
 */
import type { SyncEvent } from '../../src/sync/events.js';
import { validateEvent } from '../../src/sync/events.js';

export type Person = { id: string; email: string; firstName?: string; lastName?: string; company?: string };

let seq = 0;
const at = (minute: number): string => new Date(Date.UTC(2026, 10, 20, 10, minute)).toISOString();

export function inviteRaw(p: Person, minute = 0, id = `evt-${++seq}`): Record<string, unknown> {
  return {
    id,
    type: 'invite.submitted',
    timestamp: at(minute),
    participant: { ...p, phone: '+44 20 0000', title: 'CTO' },
    invite: { id: `inv-${p.id}`, url: `https://play.instruqt.com/invite/${p.id}` },
  };
}

export function startedRaw(p: Person, playId: string, slug = 'kubernetes-101', minute = 1, id = `evt-${++seq}`): Record<string, unknown> {
  return {
    id,
    type: 'track.started',
    timestamp: at(minute),
    participant: { id: p.id, email: p.email },
    track: { slug, title: slug === 'kubernetes-101' ? 'Kubernetes 101' : `Track ${slug}` },
    play: { id: playId },
    invite: { id: `inv-${p.id}`, url: `https://play.instruqt.com/invite/${p.id}` },
  };
}

export function completedRaw(p: Person, playId: string, seconds = 1834, slug = 'kubernetes-101', minute = 30, id = `evt-${++seq}`): Record<string, unknown> {
  return { ...startedRaw(p, playId, slug, minute, id), type: 'track.completed', play: { id: playId, timeSpentSeconds: seconds } };
}

export function reviewRaw(
  p: Person,
  playId: string,
  review: { score?: number; comment?: string },
  slug = 'kubernetes-101',
  minute = 31,
  id = `evt-${++seq}`
): Record<string, unknown> {
  return { ...startedRaw(p, playId, slug, minute, id), type: 'review.submitted', review };
}

/** Validate raw events as if they were lines 1..n. */
export function events(raws: Array<Record<string, unknown>>): SyncEvent[] {
  return raws.map((raw, i) => {
    const v = validateEvent(raw, i + 1);
    if (!v.ok) throw new Error(v.reason);
    return v.event;
  });
}

export const ndjson = (raws: Array<Record<string, unknown>>): string => raws.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** Fisher-Yates with a fixed seed, so a failing shuffle can be reproduced. */
export function shuffle<T>(items: T[], seed = 42): T[] {
  const out = [...items];
  let s = seed;
  const rand = (): number => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
