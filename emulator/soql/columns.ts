/*
 * The `GET /query?q=...&columns=true` answer: the query's column metadata, which `sf data query` reads to lay out
 * its table (plugin-data retrieveColumns: columnName, displayName, aggregate, joinColumns). Parent relationships are
 * columns with joinColumns; child subqueries are aggregate columns with joinColumns; functions are aggregate columns
 * named exprN (or their alias) with the function text as displayName.
 */
import type { FieldDef, OrgApi, Principal } from '../core/types.js';
import { planSoql, type SoqlOptions } from './execute.js';
import type { Proj } from './plan.js';

export type QueryColumn = {
  aggregate: boolean;
  apexType: string | null;
  booleanType: boolean;
  columnName: string;
  custom: boolean;
  displayName: string;
  foreignKeyName: string | null;
  insertable: boolean;
  joinColumns: QueryColumn[];
  numberType: boolean;
  textType: boolean;
  updatable: boolean;
};

export type QueryColumnsResult = {
  columnMetadata: QueryColumn[];
  entityName: string;
  groupBy: boolean;
  idSelected: boolean;
  keyPrefix: string | null;
};

const APEX_TYPES: Record<FieldDef['type'], string> = {
  id: 'Id',
  reference: 'Id',
  string: 'String',
  textarea: 'String',
  url: 'String',
  email: 'String',
  phone: 'String',
  picklist: 'String',
  multipicklist: 'String',
  combobox: 'String',
  boolean: 'Boolean',
  int: 'Integer',
  double: 'Double',
  currency: 'Double',
  percent: 'Double',
  date: 'Date',
  datetime: 'Datetime',
  base64: 'Blob',
  address: 'Address',
};

const NUMBER_TYPES = new Set<FieldDef['type']>(['int', 'double', 'currency', 'percent']);
const TEXT_TYPES = new Set<FieldDef['type']>(['string', 'textarea', 'url', 'email', 'phone', 'picklist', 'multipicklist', 'combobox']);

function fieldColumn(field: FieldDef, columnName = field.name, aggregate = false, displayName = columnName): QueryColumn {
  return {
    aggregate,
    apexType: APEX_TYPES[field.type] ?? null,
    booleanType: field.type === 'boolean',
    columnName,
    custom: field.custom,
    displayName,
    foreignKeyName: null,
    insertable: field.createable,
    joinColumns: [],
    numberType: NUMBER_TYPES.has(field.type),
    textType: TEXT_TYPES.has(field.type),
    updatable: field.updateable,
  };
}

function relationColumn(name: string, custom: boolean, aggregate: boolean, joinColumns: QueryColumn[]): QueryColumn {
  return {
    aggregate,
    apexType: null,
    booleanType: false,
    columnName: name,
    custom,
    displayName: name,
    foreignKeyName: null,
    insertable: false,
    joinColumns,
    numberType: false,
    textType: false,
    updatable: false,
  };
}

function columnsOf(projections: Proj[]): QueryColumn[] {
  return projections.map((p) => {
    if (p.kind === 'field') return fieldColumn(p.field);
    if (p.kind === 'parent') return relationColumn(p.key, p.hop.ref.custom, false, columnsOf(p.children));
    return relationColumn(p.key, p.rel.field.custom, true, columnsOf(p.plan.projections));
  });
}

export function describeSoqlColumns(
  org: OrgApi,
  principal: Principal | undefined,
  soql: string,
  opts: SoqlOptions = {}
): QueryColumnsResult {
  const { plan } = planSoql(org, principal, soql, opts);
  let columnMetadata: QueryColumn[];
  if (plan.countOnly) columnMetadata = [];
  else if (plan.aggregate) {
    columnMetadata = plan.aggregate.items.map((item) => {
      if (item.kind === 'group') return fieldColumn(item.field, item.key);
      const column = item.field
        ? fieldColumn(item.field, item.key, true, item.raw)
        : relationColumn(item.key, false, true, []);
      column.displayName = item.raw;
      if (item.fn === 'COUNT' || item.fn === 'COUNT_DISTINCT') {
        Object.assign(column, { apexType: 'Integer', numberType: true, textType: false, booleanType: false });
      } else if (item.fn === 'AVG' || item.fn === 'SUM') {
        Object.assign(column, { apexType: 'Double', numberType: true, textType: false });
      }
      return { ...column, insertable: false, updatable: false };
    });
  } else columnMetadata = columnsOf(plan.projections);
  const aggregateResult = plan.aggregate !== undefined || plan.countOnly;
  return {
    columnMetadata,
    entityName: aggregateResult ? 'AggregateResult' : plan.obj.name,
    groupBy: plan.aggregate !== undefined && plan.aggregate.groupBy.length > 0,
    idSelected: plan.idSelected,
    keyPrefix: aggregateResult ? null : plan.obj.keyPrefix,
  };
}
