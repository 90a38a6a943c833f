/*
 * Stage 4: the permission set licence, then the permission set, for the integration user, in one Composite call
 * with collateSubrequests false (otherwise Salesforce may run the two in either order).
 * Order matters: without the Salesforce API Integration PSL the permission set's Lead/Contact access is refused
 * ("The user license doesn't allow the permission"). A duplicate assignment means another run got there first: done.
 */
import type { SalesforceClient, CompositeSubrequest } from '../salesforce/client.js';
import { SalesforceApiError } from '../salesforce/errors.js';
import { installError } from './messages.js';

export type AssignmentRequest = {
  userId: string;
  username: string;
  /** Set when the PSL must be assigned. */
  pslId?: string;
  pslLabel: string;
  /** Set when the permission set must be assigned. */
  permissionSetId?: string;
  permissionSetName: string;
  /** The running admin, named when Salesforce refuses for lack of Manage Users. */
  adminUsername: string;
};

export type AssignmentOutcome = {
  psl: 'assigned' | 'present' | 'none';
  permissionSet: 'assigned' | 'present' | 'none';
  /** The first refusal; what was assigned before it stays assigned. */
  error?: Error;
};

/** Salesforce's answers to a repeated assignment (PSLA: "duplicate value found"; PSA: "Duplicate PermissionSetAssignment"). */
function isDuplicate(error: SalesforceApiError): boolean {
  return error.errorCode === 'DUPLICATE_VALUE' || /duplicate/i.test(error.message);
}

export async function assign(client: SalesforceClient, request: AssignmentRequest): Promise<AssignmentOutcome> {
  const subrequests: CompositeSubrequest[] = [];
  if (request.pslId) {
    subrequests.push({
      method: 'POST',
      url: '/sobjects/PermissionSetLicenseAssign',
      referenceId: 'psl',
      body: { AssigneeId: request.userId, PermissionSetLicenseId: request.pslId },
    });
  }
  if (request.permissionSetId) {
    subrequests.push({
      method: 'POST',
      url: '/sobjects/PermissionSetAssignment',
      referenceId: 'ps',
      body: { AssigneeId: request.userId, PermissionSetId: request.permissionSetId },
    });
  }
  const outcome: AssignmentOutcome = { psl: 'none', permissionSet: 'none' };
  if (subrequests.length === 0) return outcome;

  // Unrelated subrequests are collated and may run in any order (API 49.0+): ask for request order.
  const responses = await client.composite(subrequests, false, { inOrder: true });
  for (const response of responses) {
    const which = response.referenceId === 'psl' ? 'psl' : 'permissionSet';
    if (response.httpStatusCode < 400) {
      outcome[which] = 'assigned';
      continue;
    }
    const error = SalesforceApiError.fromResponse(response.httpStatusCode, response.body);
    if (isDuplicate(error)) {
      outcome[which] = 'present';
      continue;
    }
    // A PSL failure makes the permission set fail too: report the first cause.
    if (outcome.error) continue;
    const label = which === 'psl' ? request.pslLabel : request.permissionSetName;
    outcome.error = ['INSUFFICIENT_ACCESS', 'INSUFFICIENT_ACCESS_OR_READONLY'].includes(error.errorCode)
      ? installError('MissingManageUsers', [request.adminUsername], [], error)
      : installError('AssignmentFailed', [label, request.username, error.message], [], error);
  }
  return outcome;
}
