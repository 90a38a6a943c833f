/* eslint-disable camelcase -- Salesforce API names */
/*
 * The org's sync-relevant state with record ids replaced by what they stand for, so two orgs (a clean run and a
 * killed-and-resumed one) can be compared for equality.
 */
import type { SyncOrg } from './org-fixture.js';

/** The org's sync-relevant state with ids replaced by what they stand for, to compare two orgs. */
export function snapshot(o: SyncOrg): unknown {
  const people = new Map<unknown, string>();
  for (const l of o.records('Lead')) people.set(l.Id, `Lead:${String(l.Email).toLowerCase()}|${String(l.FirstName)}|${String(l.LastName)}`);
  for (const c of o.records('Contact')) people.set(c.Id, `Contact:${String(c.Email).toLowerCase()}|${String(c.FirstName)}|${String(c.LastName)}`);
  const tracks = new Map<unknown, unknown>(o.records('Instruqt_Track__c').map((t) => [t.Id, t.Track_Slug__c]));
  return {
    leads: o.records('Lead').map((l) => [people.get(l.Id), l.Company, l.Status, l.LeadSource]).sort(),
    tracks: o.records('Instruqt_Track__c').map((t) => [t.Track_Slug__c, t.Name]).sort(),
    plays: o
      .records('Instruqt_Play__c')
      .map((p) => [
        p.Play_ID__c,
        p.Name,
        people.get(p.Lead__c) ?? null,
        people.get(p.Contact__c) ?? null,
        tracks.get(p.Instruqt_Track__c) ?? null,
        p.Participant_ID__c,
        p.Invitation_Link__c,
        p.Time_Spent__c,
        p.Time_Spent_Seconds__c,
        p.Score__c,
        p.Feedback__c,
      ])
      .sort(),
    posts: o.records('FeedItem').map((f) => `${people.get(f.ParentId) ?? '?'}::${String(f.Body)}`).sort(),
    tasks: o.records('Task').map((t) => `${people.get(t.WhoId) ?? '?'}::${String(t.Description)}`).sort(),
  };
}
