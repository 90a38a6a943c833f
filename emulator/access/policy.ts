/*
 * The AccessPolicy the data plane consults for every API request made as a user: API access, object CRUD (with
 * View/Modify All Records and View/Modify All Data), field-level security and system permissions.
 * Effective permissions are cached per user and dropped on any write to a setup object (see setup-rules.ts),
 * so removing a permission takes effect on the next request.
 */
import { SalesforceError, type AccessPolicy, type ObjectAccess, type OrgApi, type Principal } from '../core/types.js';
import { FEED_VIEWS } from '../schema/standard.js';
import { computeEffectivePermissions, type EffectivePermissions, type ObjectRights } from './effective-permissions.js';

/** Standard objects whose access is granted by object permissions (ObjectPermissions.SobjectType). */
export const crudStandardObjects = new Set(
  [
    'Account',
    'Asset',
    'Campaign',
    'Case',
    'Contact',
    'Contract',
    'Document',
    'Lead',
    'Opportunity',
    'Order',
    'Pricebook2',
    'Product2',
    'Solution',
  ].map((o) => o.toLowerCase())
);

/** Setup objects readable only with View Setup and Configuration (salesforce-reference.md, Permissions). */
export const viewSetupObjects = new Set(
  [
    'PermissionSet',
    'ObjectPermissions',
    'FieldPermissions',
    'PermissionSetAssignment',
    'PermissionSetGroup',
    'PermissionSetGroupComponent',
    'MutingPermissionSet',
    'PermissionSetLicense',
    'PermissionSetLicenseAssign',
    'UserLicense',
    'SetupEntityAccess',
  ].map((o) => o.toLowerCase())
);

/** Setup objects and the system permissions that allow writing them (Modify All Data always does). */
const setupWritePermissions: Record<string, string[]> = {
  user: ['ManageUsers', 'ManageInternalUsers'],
  permissionsetlicenseassign: ['ManageUsers', 'ManageInternalUsers'],
  permissionsetassignment: ['AssignPermissionSets', 'ManageUsers'],
  permissionset: ['ManageProfilesPermissionsets'],
  objectpermissions: ['ManageProfilesPermissionsets'],
  fieldpermissions: ['ManageProfilesPermissionsets'],
  permissionsetgroup: ['ManageProfilesPermissionsets'],
  permissionsetgroupcomponent: ['ManageProfilesPermissionsets'],
  mutingpermissionset: ['ManageProfilesPermissionsets'],
};

/** Fields every object has that field-level security never hides. */
const alwaysVisibleFields = new Set(
  [
    'Id',
    'OwnerId',
    'CreatedById',
    'CreatedDate',
    'LastModifiedById',
    'LastModifiedDate',
    'SystemModstamp',
    'IsDeleted',
    'RecordTypeId',
  ].map((f) => f.toLowerCase())
);

/**
 * Lead conversion fields are maintained by Salesforce and not listed in field-level security (FieldPermissions has no
 * rows for them), so every user who can read Leads reads them.
 */
const leadConversionFields = new Set(
  ['IsConverted', 'ConvertedContactId', 'ConvertedAccountId', 'ConvertedOpportunityId', 'ConvertedDate'].map((f) =>
    f.toLowerCase()
  )
);

/** Components of a compound Name (Lead, Contact): not subject to field-level security. */
const nameParts = new Set(['salutation', 'firstname', 'middlename', 'lastname', 'suffix']);

export const insufficientAccessMessage =
  'You do not have the level of access necessary to perform the operation you requested. ' +
  'Please contact the owner of the record or your administrator if access is necessary.';

export class OrgAccessPolicy implements AccessPolicy {
  private readonly cache = new Map<string, EffectivePermissions>();

  public constructor(private readonly org: OrgApi) {}

  /** Forget every cached user: called on any write to a setup object. */
  public invalidate(): void {
    this.cache.clear();
  }

  public effective(userId: string): EffectivePermissions {
    const key = userId.slice(0, 15);
    let perms = this.cache.get(key);
    if (!perms) {
      perms = computeEffectivePermissions(this.org, userId);
      this.cache.set(key, perms);
    }
    return perms;
  }

  public checkApi(p: Principal): void {
    const perms = this.effective(p.userId);
    // A deactivated user's sessions end (Salesforce revokes them on deactivation).
    if (!perms.active) throw new SalesforceError('INVALID_SESSION_ID', 'Session expired or invalid', [], 401);
    if (!perms.system.has('ApiEnabled')) {
      throw new SalesforceError('API_DISABLED_FOR_ORG', 'The REST API is not enabled for this Organization.', [], 403);
    }
  }

  public hasPermission(p: Principal, permission: string): boolean {
    const perms = this.effective(p.userId);
    return perms.active && perms.system.has(permission.replace(/^Permissions/, ''));
  }

  public objectVisible(p: Principal, object: string): boolean {
    const name = object.toLowerCase();
    if (viewSetupObjects.has(name)) return this.hasPermission(p, 'ViewSetup') || this.hasPermission(p, 'ModifyAllData');
    // A record feed is visible to whoever can read the records it belongs to (Object Reference: LeadFeed).
    const feedOf = FEED_VIEWS[this.org.getObject(object)?.name ?? object];
    if (feedOf) return this.rights(p, feedOf, 'read');
    if (!this.crudGoverned(object)) return true;
    return this.rights(p, object, 'read');
  }

  public checkObject(p: Principal, object: string, op: ObjectAccess): void {
    const name = object.toLowerCase();
    const def = this.org.getObject(object);
    const canonical = def?.name ?? object;
    if (!this.objectVisible(p, object)) {
      throw new SalesforceError('INVALID_TYPE', `sObject type '${canonical}' is not supported.`);
    }
    if (op === 'read') return;
    if (name in setupWritePermissions) {
      const allowed = ['ModifyAllData', ...setupWritePermissions[name]].some((perm) => this.hasPermission(p, perm));
      if (!allowed) throw new SalesforceError('INSUFFICIENT_ACCESS_OR_READONLY', insufficientAccessMessage);
      return;
    }
    if (!this.crudGoverned(object)) return;
    if (!this.rights(p, object, op)) {
      const message = op === 'create' ? insufficientAccessMessage : 'insufficient access rights on object id';
      throw new SalesforceError('INSUFFICIENT_ACCESS_OR_READONLY', message);
    }
  }

  public fieldReadable(p: Principal, object: string, field: string): boolean {
    if (!this.flsGoverned(object, field)) return true;
    const perms = this.effective(p.userId);
    // Deviation, documented in emulator/access/README.md: Modify All Data also grants field access, so an admin
    // sees every field without a profile FieldPermissions row per field.
    if (perms.system.has('ModifyAllData')) return true;
    if (perms.objects.get(object.toLowerCase())?.viewAllFields) return true;
    return perms.fields.get(this.fieldKey(object, field))?.read === true;
  }

  public fieldEditable(p: Principal, object: string, field: string): boolean {
    if (!this.flsGoverned(object, field)) return true;
    const perms = this.effective(p.userId);
    if (perms.system.has('ModifyAllData')) return true;
    return perms.fields.get(this.fieldKey(object, field))?.edit === true;
  }

  /**
   * A lookup may only point at a record of an object the user can read: INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY
   * otherwise (e.g. an Instruqt Play linked to a Lead by a user without Read on Lead). `changed` limits the check.
   */
  public checkReferences(p: Principal, object: string, rec: Record<string, unknown>, changed?: (field: string) => boolean): void {
    const def = this.org.getObject(object);
    if (!def) return;
    for (const f of def.fields.values()) {
      if (f.type !== 'reference' || !f.createable) continue;
      const value = rec[f.name];
      if (typeof value !== 'string' || !value || (changed && !changed(f.name))) continue;
      const target = this.org.objectOfId(value);
      if (target && this.crudGoverned(target) && !this.rights(p, target, 'read')) {
        throw new SalesforceError(
          'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
          `insufficient access rights on cross-reference id: ${value}`,
          [f.name]
        );
      }
    }
  }

  /** Custom objects and the standard objects that object permissions control. */
  private crudGoverned(object: string): boolean {
    const def = this.org.getObject(object);
    if (def?.custom) return true;
    return crudStandardObjects.has(object.toLowerCase());
  }

  /** FLS applies to optional fields of CRUD-governed objects; required, name and system fields are always visible. */
  private flsGoverned(object: string, field: string): boolean {
    if (!this.crudGoverned(object)) return false;
    const name = field.toLowerCase();
    if (alwaysVisibleFields.has(name)) return false;
    if (object.toLowerCase() === 'lead' && leadConversionFields.has(name)) return false;
    const obj = this.org.getObject(object);
    const def = obj?.fields.get(name);
    if (!def) return true;
    // The parts of a compound person name (Lead/Contact Name) share the name field's visibility: always visible.
    if (nameParts.has(name) && obj?.fields.get('name')?.nameField === true) return false;
    if (def.type === 'id' || def.nameField === true || def.autoNumber === true) return false;
    // Required fields cannot be listed in FieldPermissions; they are always readable and editable.
    if (!def.nillable && def.type !== 'boolean') return false;
    return true;
  }

  private fieldKey(object: string, field: string): string {
    const def = this.org.getObject(object);
    const f = def?.fields.get(field.toLowerCase());
    return `${def?.name ?? object}.${f?.name ?? field}`.toLowerCase();
  }

  private rights(p: Principal, object: string, op: ObjectAccess): boolean {
    const perms = this.effective(p.userId);
    if (!perms.active) return false;
    if (perms.system.has('ModifyAllData')) return true;
    const r: ObjectRights | undefined = perms.objects.get(object.toLowerCase());
    switch (op) {
      case 'read':
        if (perms.system.has('ViewAllData')) return true;
        return r !== undefined && (r.read || r.viewAll || r.modifyAll);
      case 'create':
        return r?.create === true;
      case 'edit':
        return r ? r.edit || r.modifyAll : false;
      case 'delete':
        return r ? r.delete || r.modifyAll : false;
    }
  }
}
