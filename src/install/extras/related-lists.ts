/*
 * `install --related-lists`: the "Instruqt Plays" related list on the Lead and Contact page layouts (seed 000's data
 * visualization step). The current layouts are retrieved, only that related list is added (as text, so every other
 * part of each layout is kept byte for byte) and they are deployed back; a layout that already has it is left alone.
 */
import type { Connection } from '@salesforce/core';
import { PLAY_OBJECT } from '../../footprint/vocabulary.js';
import { deployFiles, describeFailures, MetadataError, retrieveFiles, type PollOptions } from '../../salesforce/metadata.js';


/** Seed 000's recommended columns: Description (the name field), Created Date, Time Spent, Feedback, Score, Track. */
export const RELATED_LIST_FIELDS = ['NAME', 'CREATED_DATE', 'Time_Spent__c', 'Feedback__c', 'Score__c', 'Instruqt_Track__c'];

export type LayoutTarget = { layout: string; relatedList: string };

/** Salesforce's default layouts and the lookup of Instruqt_Play__c each related list follows. */
export const DEFAULT_TARGETS: LayoutTarget[] = [
  { layout: 'Lead-Lead Layout', relatedList: `${PLAY_OBJECT}.Lead__c` },
  { layout: 'Contact-Contact Layout', relatedList: `${PLAY_OBJECT}.Contact__c` },
];

export type RelatedListChange = {
  layout: string;
  relatedList: string;
  /** added: deployed now (or would be, in a dry run); present: already there; missing-layout: no such layout. */
  status: 'added' | 'present' | 'removed' | 'absent' | 'missing-layout';
};

export type RelatedListsResult = { changes: RelatedListChange[]; deployed: boolean };

/**
 * Elements that follow relatedLists in the Layout type's XML sequence (Metadata API "Layout"): a new related list goes
 * after the last existing one, or before the first of these when the layout has none.
 */
const AFTER_RELATED_LISTS = [
  'relatedObjects',
  'runAssignmentRulesDefault',
  'showEmailCheckbox',
  'showHighlightsPanel',
  'showInteractionLogPanel',
  'showKnowledgeComponent',
  'showRunAssignmentRulesCheckbox',
  'showSolutionSection',
  'showSubmitAndAttachButton',
  'summaryLayout',
];

export function hasRelatedList(xml: string, relatedList: string): boolean {
  return new RegExp(`<relatedList>\\s*${escapeRegExp(relatedList)}\\s*</relatedList>`).test(xml);
}

/** The layout with the related list added, or undefined when it already has it. Everything else is left as is. */
export function withRelatedList(xml: string, relatedList: string, fields = RELATED_LIST_FIELDS): string | undefined {
  if (hasRelatedList(xml, relatedList)) return undefined;
  const indent = /\n([ \t]+)<\w/.exec(xml)?.[1] ?? '    ';
  const block =
    `${indent}<relatedLists>\n` +
    fields.map((f) => `${indent}${indent}<fields>${f}</fields>\n`).join('') +
    `${indent}${indent}<relatedList>${relatedList}</relatedList>\n` +
    `${indent}</relatedLists>\n`;
  const lastEnd = xml.lastIndexOf('</relatedLists>');
  if (lastEnd >= 0) {
    const at = xml.indexOf('\n', lastEnd) + 1 || lastEnd + '</relatedLists>'.length;
    return xml.slice(0, at) + block + xml.slice(at);
  }
  for (const element of [...AFTER_RELATED_LISTS, '/Layout']) {
    const match = new RegExp(`\\n[ \\t]*<${element}[\\s>]`).exec(xml);
    if (match) return xml.slice(0, match.index + 1) + block + xml.slice(match.index + 1);
  }
  throw new MetadataError('The layout has no </Layout> end tag.');
}

/** The layout without the related list, or undefined when it does not have it. */
export function withoutRelatedList(xml: string, relatedList: string): string | undefined {
  const pattern = new RegExp(
    `[ \\t]*<relatedLists>(?:(?!</relatedLists>)[\\s\\S])*<relatedList>\\s*${escapeRegExp(
      relatedList
    )}\\s*</relatedList>(?:(?!</relatedLists>)[\\s\\S])*</relatedLists>[ \\t]*\\n?`
  );
  return pattern.test(xml) ? xml.replace(pattern, '') : undefined;
}

const layoutPath = (layout: string): string => `layouts/${layout}.layout`;

/** Add the Instruqt Plays related list where it is missing; one retrieve, and one deploy only when something changes. */
export async function addRelatedLists(
  conn: Connection,
  options: PollOptions & { dryRun?: boolean; targets?: LayoutTarget[] } = {}
): Promise<RelatedListsResult> {
  return editLayouts(conn, options, (xml, target) => {
    const edited = withRelatedList(xml, target.relatedList);
    return edited === undefined ? { status: 'present' } : { status: 'added', xml: edited };
  });
}

/** Take the Instruqt Plays related list off the layouts again (uninstall --purge, before the object is deleted). */
export async function removeRelatedLists(
  conn: Connection,
  options: PollOptions & { dryRun?: boolean; targets?: LayoutTarget[] } = {}
): Promise<RelatedListsResult> {
  return editLayouts(conn, options, (xml, target) => {
    const edited = withoutRelatedList(xml, target.relatedList);
    return edited === undefined ? { status: 'absent' } : { status: 'removed', xml: edited };
  });
}

async function editLayouts(
  conn: Connection,
  options: PollOptions & { dryRun?: boolean; targets?: LayoutTarget[] },
  edit: (xml: string, target: LayoutTarget) => { status: RelatedListChange['status']; xml?: string }
): Promise<RelatedListsResult> {
  const targets = options.targets ?? DEFAULT_TARGETS;
  const retrieved = await retrieveFiles(conn, [{ type: 'Layout', members: targets.map((t) => t.layout) }], options);
  const changes: RelatedListChange[] = [];
  const toDeploy = new Map<string, string>();
  for (const target of targets) {
    const xml = retrieved.get(layoutPath(target.layout));
    if (xml === undefined) {
      changes.push({ ...target, status: 'missing-layout' });
      continue;
    }
    const result = edit(xml, target);
    changes.push({ ...target, status: result.status });
    if (result.xml !== undefined) toDeploy.set(layoutPath(target.layout), result.xml);
  }
  if (toDeploy.size === 0 || options.dryRun) return { changes, deployed: false };
  const layouts = targets.filter((t) => toDeploy.has(layoutPath(t.layout))).map((t) => t.layout);
  const outcome = await deployFiles(conn, toDeploy, [{ type: 'Layout', members: layouts }], options);
  if (!outcome.success) {
    throw new MetadataError(`The layout deploy failed: ${describeFailures(outcome.failures)}`, outcome.failures);
  }
  return { changes, deployed: true };
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
