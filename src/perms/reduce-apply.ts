/*
 * Applies a reduction plan (src/perms/reduce.ts) in plan order through sObject Collections (allOrNone=false), so every
 * action gets its own status.
 */
import type { SalesforceClient, SaveResult } from '../salesforce/client.js';
import type { FieldAccessName, ObjectAccessName } from './policy.js';
import type { AppliedAction, ReduceAction } from './reduce.js';

/** Apply in plan order; every action gets its own status (collections calls, allOrNone=false). */
export async function applyPlan(client: SalesforceClient, actions: ReduceAction[]): Promise<AppliedAction[]> {
  const results = new Map<ReduceAction, AppliedAction>();
  const record = (action: ReduceAction, r: SaveResult | undefined): void => {
    const ok = r?.success === true;
    results.set(action, {
      ...action,
      status: ok ? 'done' : 'failed',
      ...(ok ? {} : { error: r?.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ') ?? 'no result' }),
    });
  };
  const run = async (
    batch: ReduceAction[],
    call: (items: ReduceAction[]) => Promise<SaveResult[]>
  ): Promise<void> => {
    if (batch.length === 0) return;
    try {
      const saved = await call(batch);
      batch.forEach((a, i) => record(a, saved[i]));
    } catch (error) {
      for (const a of batch) results.set(a, { ...a, status: 'failed', error: (error as Error).message });
    }
  };

  const of = <T extends ReduceAction['type']>(type: T): Array<Extract<ReduceAction, { type: T }>> =>
    actions.filter((a): a is Extract<ReduceAction, { type: T }> => a.type === type);

  // Grants first, so access the sync needs never disappears between steps.
  await run(of('grantUserPermissions'), (items) =>
    client.update(
      'PermissionSet',
      (items as Array<Extract<ReduceAction, { type: 'grantUserPermissions' }>>).map((a) => ({
        Id: a.permissionSet.id,
        ...Object.fromEntries(a.permissions.map((p) => [`Permissions${p.name}`, true])),
      }))
    )
  );
  const objectFlags = (access: ObjectAccessName[]): Record<string, boolean> =>
    Object.fromEntries(access.map((a) => [`Permissions${a}`, true]));
  const grantObjects = of('grantObject');
  await run(
    grantObjects.filter((a) => a.recordId),
    (items) =>
      client.update(
        'ObjectPermissions',
        (items as typeof grantObjects).map((a) => ({ Id: a.recordId, ...objectFlags(a.access) }))
      )
  );
  await run(
    grantObjects.filter((a) => !a.recordId),
    (items) =>
      client.insert(
        'ObjectPermissions',
        (items as typeof grantObjects).map((a) => ({
          ParentId: a.permissionSet.id,
          SobjectType: a.object,
          ...objectFlags(a.access),
        }))
      )
  );
  const fieldFlags = (access: FieldAccessName): Record<string, boolean> => ({
    PermissionsRead: true,
    PermissionsEdit: access === 'Edit',
  });
  const grantFields = of('grantField');
  await run(
    grantFields.filter((a) => a.recordId),
    (items) =>
      client.update(
        'FieldPermissions',
        (items as typeof grantFields).map((a) => ({ Id: a.recordId, ...fieldFlags(a.access) }))
      )
  );
  await run(
    grantFields.filter((a) => !a.recordId),
    (items) =>
      client.insert(
        'FieldPermissions',
        (items as typeof grantFields).map((a) => ({
          ParentId: a.permissionSet.id,
          SobjectType: a.field.slice(0, a.field.indexOf('.')),
          Field: a.field,
          ...fieldFlags(a.access),
        }))
      )
  );
  const assigns = of('assign');
  await run(assigns, (items) =>
    client.insert(
      'PermissionSetAssignment',
      (items as typeof assigns).map((a) => ({ AssigneeId: a.user.id, PermissionSetId: a.permissionSet.id }))
    )
  );

  // Removals: one call per dependency step, dependents first.
  const removals = of('removeUserPermissions');
  for (const step of [...new Set(removals.map((r) => r.step))].sort((a, b) => a - b)) {
    const batch = removals.filter((r) => r.step === step);
    await run(batch, (items) =>
      client.update(
        'PermissionSet',
        (items as typeof removals).map((a) => ({
          Id: a.permissionSet.id,
          ...Object.fromEntries(a.permissions.map((p) => [`Permissions${p.name}`, false])),
        }))
      )
    );
  }
  const unassigns = of('unassign');
  await run(unassigns, (items) => client.delete((items as typeof unassigns).map((a) => a.assignmentId)));

  return actions.map((a) => results.get(a) ?? { ...a, status: 'failed', error: 'not applied' });
}
