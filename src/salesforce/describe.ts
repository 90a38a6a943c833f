/*
 * The parts of an sObject describe (REST `sobjects/{name}/describe`) the plugin reads.
 */
export type DescribeField = {
  name: string;
  label: string;
  type: string;
  length?: number;
  precision?: number;
  scale?: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  externalId?: boolean;
  unique?: boolean;
  referenceTo?: string[];
  relationshipName?: string | null;
  picklistValues?: Array<{ value: string; label: string; active: boolean; defaultValue: boolean }>;
};

export type DescribeSObject = {
  name: string;
  label: string;
  keyPrefix: string | null;
  createable: boolean;
  updateable: boolean;
  queryable: boolean;
  fields: DescribeField[];
};
