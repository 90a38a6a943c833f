/*
 * What the local Instruqt stand-in knows: one team's tracks, users (with or without the details they left with the
 * team) and plays. `seedData` gives a small, varied set; `--data <file>` replaces it with a JSON file of this shape.
 */

export type StandInUserDetails = {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  companyName?: string | null;
  jobTitle?: string | null;
  jobLevel?: string | null;
  countryCode?: string | null;
  consent?: boolean | null;
};

export type StandInTrack = { id: string; slug: string; title: string };
/** details: what the user left with the team (invite or landing-page form); null for an anonymous user. */
export type StandInUser = { id: string; details: StandInUserDetails | null };
export type StandInPlay = {
  id: string;
  trackId: string;
  userId: string;
  /** NORMAL, or DEVELOPER for a track author's test play. */
  mode: 'NORMAL' | 'DEVELOPER';
  /** RFC 3339. */
  startedAt: string;
  timeSpent: number;
  completionPercent: number;
  totalChallenges?: number;
  completedChallenges?: number;
  inviteId?: string | null;
  review?: { id: string; score?: number | null; content?: string | null } | null;
  customParameters?: Array<{ key: string; value: string }>;
};

export type StandInData = {
  team: string;
  tracks: StandInTrack[];
  users: StandInUser[];
  plays: StandInPlay[];
  invites?: Array<{ id: string; title?: string | null; publicTitle?: string | null }>;
};

/** Instruqt user ids are 28 characters (Firebase-style); the stand-in makes ids of that shape. */
export function userId(seed: string): string {
  return `u${seed}`.padEnd(28, 'x').slice(0, 28);
}

/** A small team with every case the sync handles: new people, known people, anonymous users, developer plays, reviews. */
export function seedData(now = Date.now()): StandInData {
  const at = (hoursAgo: number): string => new Date(now - hoursAgo * 3_600_000).toISOString();
  const users: StandInUser[] = [
    { id: userId('ada'), details: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', companyName: 'Analytical Engines', jobTitle: 'CTO' } },
    { id: userId('grace'), details: { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com', companyName: 'Navy', jobTitle: 'Rear Admiral' } },
    { id: userId('anon'), details: null },
    { id: userId('author'), details: { firstName: 'Track', lastName: 'Author', email: 'author@example.com' } },
  ];
  return {
    team: 'acme',
    tracks: [
      { id: 'trk-k8s', slug: 'kubernetes-101', title: 'Kubernetes 101' },
      { id: 'trk-tf', slug: 'terraform-basics', title: 'Terraform Basics' },
    ],
    users,
    invites: [{ id: 'inv-1', title: 'Workshop', publicTitle: 'Kubernetes workshop' }],
    plays: [
      { id: 'play-ada-1', trackId: 'trk-k8s', userId: users[0].id, mode: 'NORMAL', startedAt: at(30), timeSpent: 1834, completionPercent: 100, inviteId: 'inv-1', review: { id: 'rev-1', score: 4, content: 'Great lab' } },
      { id: 'play-grace-1', trackId: 'trk-tf', userId: users[1].id, mode: 'NORMAL', startedAt: at(20), timeSpent: 600, completionPercent: 40 },
      { id: 'play-anon-1', trackId: 'trk-k8s', userId: users[2].id, mode: 'NORMAL', startedAt: at(10), timeSpent: 300, completionPercent: 20 },
      { id: 'play-dev-1', trackId: 'trk-tf', userId: users[3].id, mode: 'DEVELOPER', startedAt: at(5), timeSpent: 60, completionPercent: 100 },
    ],
  };
}
