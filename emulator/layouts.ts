/*
 * Salesforce's default page layouts of a new org, `Lead-Lead Layout` and `Contact-Contact Layout`, with their usual
 * sections and related lists, seeded into the Metadata API's layout store (emulator/metadata/store.ts) so retrieve
 * returns something real that a deploy must keep (install --related-lists edits these).
 */
import type { EmulatorModule, OrgApi } from './core/types.js';
import { storeOf } from './metadata/store.js';

type Item = { field: string; behavior: 'Edit' | 'Required' | 'Readonly' };
type Section = { label: string; columns: Item[][]; style: string; detailHeading?: boolean; editHeading?: boolean };
type RelatedList = { relatedList: string; fields?: string[] };

const edit = (field: string): Item => ({ field, behavior: 'Edit' });
const required = (field: string): Item => ({ field, behavior: 'Required' });
const readonly = (field: string): Item => ({ field, behavior: 'Readonly' });

const OPEN_ACTIVITIES: RelatedList = {
  relatedList: 'RelatedActivityList',
  fields: ['TASK.SUBJECT', 'TASK.WHO_NAME', 'ACTIVITY.TASK', 'TASK.DUE_DATE', 'TASK.STATUS', 'TASK.PRIORITY', 'CORE.USERS.FULL_NAME'],
};
const ACTIVITY_HISTORY: RelatedList = {
  relatedList: 'RelatedHistoryList',
  fields: ['TASK.SUBJECT', 'TASK.WHO_NAME', 'ACTIVITY.TASK', 'TASK.DUE_DATE', 'CORE.USERS.FULL_NAME', 'TASK.LAST_UPDATE'],
};

function layoutXml(sections: Section[], relatedLists: RelatedList[], tail: string[], mini: string[]): string {
  const i = '    ';
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<Layout xmlns="http://soap.sforce.com/2006/04/metadata">'];
  for (const s of sections) {
    out.push(`${i}<layoutSections>`, `${i}${i}<customLabel>false</customLabel>`);
    out.push(`${i}${i}<detailHeading>${s.detailHeading ?? false}</detailHeading>`);
    out.push(`${i}${i}<editHeading>${s.editHeading ?? true}</editHeading>`, `${i}${i}<label>${s.label}</label>`);
    for (const column of s.columns) {
      if (column.length === 0) {
        out.push(`${i}${i}<layoutColumns/>`);
        continue;
      }
      out.push(`${i}${i}<layoutColumns>`);
      for (const item of column) {
        out.push(`${i}${i}${i}<layoutItems>`);
        out.push(`${i}${i}${i}${i}<behavior>${item.behavior}</behavior>`, `${i}${i}${i}${i}<field>${item.field}</field>`);
        out.push(`${i}${i}${i}</layoutItems>`);
      }
      out.push(`${i}${i}</layoutColumns>`);
    }
    out.push(`${i}${i}<style>${s.style}</style>`, `${i}</layoutSections>`);
  }
  out.push(`${i}<layoutSections>`, `${i}${i}<customLabel>true</customLabel>`, `${i}${i}<detailHeading>true</detailHeading>`);
  out.push(`${i}${i}<editHeading>false</editHeading>`, `${i}${i}<label>Custom Links</label>`, `${i}${i}<layoutColumns/>`);
  out.push(`${i}${i}<layoutColumns/>`, `${i}${i}<layoutColumns/>`, `${i}${i}<style>CustomLinks</style>`, `${i}</layoutSections>`);
  out.push(`${i}<miniLayout>`, `${i}${i}<fields>Name</fields>`);
  for (const f of mini) out.push(`${i}${i}<fields>${f}</fields>`);
  out.push(`${i}</miniLayout>`);
  for (const r of relatedLists) {
    out.push(`${i}<relatedLists>`);
    for (const f of r.fields ?? []) out.push(`${i}${i}<fields>${f}</fields>`);
    out.push(`${i}${i}<relatedList>${r.relatedList}</relatedList>`, `${i}</relatedLists>`);
  }
  for (const t of tail) out.push(`${i}${t}`);
  out.push('</Layout>', '');
  return out.join('\n');
}

const SHOW_FLAGS = [
  '<showEmailCheckbox>false</showEmailCheckbox>',
  '<showHighlightsPanel>false</showHighlightsPanel>',
  '<showInteractionLogPanel>false</showInteractionLogPanel>',
  '<showKnowledgeComponent>false</showKnowledgeComponent>',
  '<showRunAssignmentRulesCheckbox>false</showRunAssignmentRulesCheckbox>',
  '<showSolutionSection>false</showSolutionSection>',
  '<showSubmitAndAttachButton>false</showSubmitAndAttachButton>',
];

export const LEAD_LAYOUT = layoutXml(
  [
    {
      label: 'Lead Information',
      style: 'TwoColumnsTopToBottom',
      columns: [
        [readonly('OwnerId'), required('Name'), required('Company'), edit('Title'), edit('LeadSource'), edit('Industry'), edit('AnnualRevenue')],
        [edit('Phone'), edit('MobilePhone'), edit('Fax'), edit('Email'), edit('Website'), required('Status'), edit('Rating'), edit('NumberOfEmployees')],
      ],
    },
    { label: 'Address Information', style: 'OneColumn', columns: [[edit('Address')]] },
    { label: 'Additional Information', style: 'TwoColumnsTopToBottom', columns: [[], []] },
    {
      label: 'System Information',
      style: 'TwoColumnsTopToBottom',
      editHeading: false,
      columns: [[readonly('CreatedById')], [readonly('LastModifiedById')]],
    },
    { label: 'Description Information', style: 'OneColumn', columns: [[edit('Description')]] },
  ],
  [
    OPEN_ACTIVITIES,
    ACTIVITY_HISTORY,
    { relatedList: 'RelatedCampaignHistoryList', fields: ['CAMPAIGN.NAME', 'CAMPAIGN.START_DATE', 'CAMPAIGN.CAMPAIGN_TYPE', 'CM.STATUS', 'CM.RESPONDED'] },
    { relatedList: 'RelatedNoteList' },
    { relatedList: 'RelatedEntityHistoryList' },
  ],
  ['<runAssignmentRulesDefault>false</runAssignmentRulesDefault>', ...SHOW_FLAGS],
  ['Title', 'Phone', 'Email', 'Status']
);

export const CONTACT_LAYOUT = layoutXml(
  [
    {
      label: 'Contact Information',
      style: 'TwoColumnsTopToBottom',
      columns: [
        [readonly('OwnerId'), required('Name'), edit('AccountId'), edit('Title'), edit('Department'), edit('Birthdate'), edit('ReportsToId'), edit('LeadSource')],
        [edit('Phone'), edit('HomePhone'), edit('MobilePhone'), edit('OtherPhone'), edit('Fax'), edit('Email'), edit('AssistantName'), edit('AssistantPhone')],
      ],
    },
    { label: 'Address Information', style: 'TwoColumnsTopToBottom', columns: [[edit('MailingAddress')], [edit('OtherAddress')]] },
    { label: 'Additional Information', style: 'TwoColumnsTopToBottom', columns: [[], []] },
    {
      label: 'System Information',
      style: 'TwoColumnsTopToBottom',
      editHeading: false,
      columns: [[readonly('CreatedById')], [readonly('LastModifiedById')]],
    },
    { label: 'Description Information', style: 'OneColumn', columns: [[edit('Description')]] },
  ],
  [
    { relatedList: 'RelatedContactRoleList', fields: ['OPPORTUNITY.NAME', 'OPPORTUNITY.STAGE_NAME', 'OPPORTUNITY.AMOUNT', 'OPPORTUNITY.CLOSE_DATE'] },
    { relatedList: 'RelatedCaseList', fields: ['CASES.CASE_NUMBER', 'CASES.SUBJECT', 'CASES.PRIORITY', 'CASES.CREATED_DATE_DATE_ONLY', 'CASES.STATUS'] },
    OPEN_ACTIVITIES,
    ACTIVITY_HISTORY,
    { relatedList: 'RelatedCampaignHistoryList', fields: ['CAMPAIGN.NAME', 'CAMPAIGN.START_DATE', 'CAMPAIGN.CAMPAIGN_TYPE', 'CM.STATUS', 'CM.RESPONDED'] },
    { relatedList: 'RelatedNoteList' },
    { relatedList: 'RelatedEntityHistoryList' },
  ],
  SHOW_FLAGS,
  ['Title', 'AccountId', 'Phone', 'Email']
);

/** The default layouts a new org has, by full name. */
export const DEFAULT_LAYOUTS: Record<string, string> = {
  'Lead-Lead Layout': LEAD_LAYOUT,
  'Contact-Contact Layout': CONTACT_LAYOUT,
};

export function seedDefaultLayouts(org: OrgApi, createdById = ''): void {
  const layouts = storeOf(org).layouts;
  const at = new Date().toISOString();
  for (const [fullName, raw] of Object.entries(DEFAULT_LAYOUTS)) {
    if (!layouts.has(fullName)) layouts.set(fullName, { fullName, raw, createdDate: at, lastModifiedDate: at, createdById });
  }
}

export const layoutsModule: EmulatorModule = {
  name: 'layouts',
  install(org) {
    // The org is seeded before modules install: the layouts belong to its first (admin) user, as in a new org.
    const admin = org.getObject('User') ? org.query('User')[0] : undefined;
    seedDefaultLayouts(org, admin?.Id ?? '');
  },
};
