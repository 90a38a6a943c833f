/*
 * Fields that only exist from some API version on (Object Reference, "Available in API version N and later").
 * A request made with an older version (`--api-version 60.0`) is refused with INVALID_FIELD if it names one, so
 * callers read such a field only when the connection's version has it.
 */

const SINCE: Record<string, number> = {
  'ObjectPermissions.PermissionsViewAllFields': 63,
};

/** Whether `object.field` exists in API version `apiVersion`. */
export function hasField(apiVersion: string, objectField: keyof typeof SINCE  ): boolean {
  const since = SINCE[objectField];
  return since === undefined || Number(apiVersion) >= since;
}
