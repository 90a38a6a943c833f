/*
 * Who a participant is in the org, per the configured rule: a person already linked through an earlier Play; else a
 * Contact by email (and first + last name, case- and whitespace-insensitive) preferred over a Lead (or the reverse
 * with contactFirst=false); a converted Lead stands for its ConvertedContactId. Ties go to the oldest record.
 */
import type { MatchRule } from './config.js';
import { emailKey, nameKey } from './fields.js';
import type { ParticipantFold } from './fold.js';
import { id15, type OrgState, type PersonRecord } from './state.js';

export type MatchVia = 'earlier-play' | 'contact' | 'lead' | 'converted-lead' | 'new-lead';

/** A resolved person: an existing record, or a Lead this batch creates (newLead = its key). */
export type PersonRef = {
  kind: 'Contact' | 'Lead';
  id?: string;
  newLead?: string;
  firstName?: string | null;
  lastName?: string | null;
  via: MatchVia;
};

export type MatchOptions = { rule: MatchRule; contactFirst: boolean };

/** The key that says "same person" for Lead de-duplication: email, plus both names under 'email+names'. */
export function personKey(rule: MatchRule, email: string, firstName?: string | null, lastName?: string | null): string {
  return rule === 'email' ? emailKey(email) : `${emailKey(email)}|${nameKey(firstName)}|${nameKey(lastName)}`;
}

/** Names match when every name the participant gave equals the record's (a missing name is not compared). */
export function namesMatch(p: { firstName?: string; lastName?: string }, r: { FirstName?: string | null; LastName?: string | null }): boolean {
  if (p.firstName !== undefined && nameKey(p.firstName) !== nameKey(r.FirstName)) return false;
  if (p.lastName !== undefined && nameKey(p.lastName) !== nameKey(r.LastName)) return false;
  return true;
}

function refOf(r: PersonRecord, via: MatchVia): PersonRef {
  return { kind: r.kind, id: r.Id, firstName: r.FirstName, lastName: r.LastName, via };
}

/** A Lead, or the Contact it was converted into when that Contact is known. */
function followConversion(lead: PersonRecord, state: OrgState): PersonRef {
  if (lead.IsConverted && lead.ConvertedContactId) {
    const contact = state.peopleById.get(id15(lead.ConvertedContactId));
    return {
      kind: 'Contact',
      id: lead.ConvertedContactId,
      firstName: contact?.FirstName ?? lead.FirstName,
      lastName: contact?.LastName ?? lead.LastName,
      via: 'converted-lead',
    };
  }
  return refOf(lead, 'lead');
}

/** The person an earlier Play of this participant is linked to (the oldest linked Play wins). */
export function matchByEarlierPlay(participantId: string, state: OrgState): PersonRef | undefined {
  for (const play of state.playsByParticipant.get(participantId) ?? []) {
    if (play.Contact__c) {
      const c = state.peopleById.get(id15(play.Contact__c));
      return { kind: 'Contact', id: play.Contact__c, firstName: c?.FirstName, lastName: c?.LastName, via: 'earlier-play' };
    }
    if (play.Lead__c) {
      const lead = state.peopleById.get(id15(play.Lead__c));
      if (lead) {
        const ref = followConversion(lead, state);
        return { ...ref, via: 'earlier-play' };
      }
      return { kind: 'Lead', id: play.Lead__c, via: 'earlier-play' };
    }
  }
  return undefined;
}

/** Match by email (and names per the rule) among existing Contacts and Leads. */
export function matchByEmail(p: ParticipantFold, state: OrgState, opts: MatchOptions): PersonRef | undefined {
  if (!p.email) return undefined;
  const key = emailKey(p.email);
  const fits = (r: PersonRecord): boolean => opts.rule === 'email' || namesMatch(p, r);
  const contacts = (state.contactsByEmail.get(key) ?? []).filter(fits);
  const leads = (state.leadsByEmail.get(key) ?? []).filter(fits);
  const converted = leads.filter((l) => l.IsConverted && l.ConvertedContactId);
  const open = leads.filter((l) => !(l.IsConverted && l.ConvertedContactId));
  const contactRef = contacts[0] ? refOf(contacts[0], 'contact') : converted[0] ? followConversion(converted[0], state) : undefined;
  const leadRef = open[0] ? refOf(open[0], 'lead') : undefined;
  return opts.contactFirst ? contactRef ?? leadRef : leadRef ?? contactRef;
}

/** Full resolution for one participant against the org state. */
export function matchParticipant(p: ParticipantFold, state: OrgState, opts: MatchOptions): PersonRef | undefined {
  return matchByEarlierPlay(p.id, state) ?? matchByEmail(p, state, opts);
}
