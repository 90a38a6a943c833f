/*
 * `sf instruqt install` as a library: runs the seven stages (plan, deploy, user, assign, wait, converge, verify) in
 * order, each applying only what the plan says differs, and returns a typed result. A failure becomes an SfError
 * whose data is the result so far, exit code 1 when nothing changed and 68 when earlier stages changed the org.
 */
import type { Connection } from '@salesforce/core';
import { SfError } from '@salesforce/core';
import { SalesforceClient } from '../salesforce/client.js';
import { SalesforceApiError } from '../salesforce/errors.js';
import { soqlLiteral } from '../salesforce/soql.js';
import { ExitCode } from '../exit-codes.js';
import { readFootprint, integrationPermissionSet } from '../footprint/footprint.js';
import { loadPolicy, type AuditResult, type Policy } from '../perms/index.js';
import { INTEGRATION_PERMISSION_SET, INTEGRATION_PSL_LABEL } from '../footprint/vocabulary.js';
import { readOrgState } from './org-state.js';
import { computePlan, describePlan } from './plan.js';
import { deployFootprint, formatFailures } from './deploy.js';
import { createIntegrationUser, defaultUsername, reactivateIntegrationUser } from './integration-user.js';
import { assign } from './assignments.js';
import { waitForObjects } from './wait.js';
import { converge, verify } from './converge.js';
import { installError, messages } from './messages.js';
import type { InstallPlan, InstallResult, InstallSnapshot, StageName, StageResult, StageStatus } from './types.js';

export type InstallProgress = {
  stageStarted?(name: StageName): void;
  stageFinished?(stage: StageResult): void;
  planReady?(plan: InstallPlan, lines: string[]): void;
};

export type InstallOptions = {
  dryRun: boolean;
  username?: string;
  email?: string;
  profile?: string;
  /** --wait in minutes. */
  waitMinutes: number;
  keepInstallPermissions: boolean;
  noPrompt: boolean;
  /** How the user named the org (-o), quoted in fix commands. */
  targetOrg: string;
  footprintDir?: string;
  policyPath?: string;
  /** Fixed polling intervals (ms) for the deploy status and the objects' readiness, instead of the defaults. */
  deployPollMs?: number;
  waitPollMs?: number;
  /** Asks the person running the install; absent when nobody can answer (--json, no terminal). */
  confirm?: (message: string) => Promise<boolean>;
  progress?: InstallProgress;
};

type StageOutcome = { status: StageStatus; changes: string[]; message?: string };

export async function install(connection: Connection, given: InstallOptions): Promise<InstallResult> {
  // Flags left unset arrive as undefined; the result always says true or false.
  const options: InstallOptions = {
    ...given,
    dryRun: given.dryRun === true,
    keepInstallPermissions: given.keepInstallPermissions === true,
    noPrompt: given.noPrompt === true,
  };
  const client = new SalesforceClient(connection);
  const footprint = readFootprint(options.footprintDir);
  const permissionSet = integrationPermissionSet(footprint);
  const objectNames = footprint.objects.map((o) => o.name);
  const runningUsername = connection.getUsername() ?? '';

  const result: InstallResult = {
    success: false,
    dryRun: options.dryRun,
    org: { id: '', name: '', isSandbox: false, instanceUrl: connection.instanceUrl },
    stages: [],
    apiCalls: { total: 0, writes: 0, deployPolls: 0 },
    warnings: [],
  };
  let writes = 0;
  /** Whether any stage changed the org: a later failure is then partial (exit 68). */
  let changed = false;

  const run = async (name: StageName, body: () => Promise<StageOutcome>): Promise<void> => {
    options.progress?.stageStarted?.(name);
    const started = Date.now();
    const callsBefore = client.apiCalls;
    const record = (outcome: StageOutcome): StageResult => {
      const stage: StageResult = {
        name,
        ...outcome,
        apiCalls: client.apiCalls - callsBefore,
        durationMs: Date.now() - started,
      };
      result.stages.push(stage);
      options.progress?.stageFinished?.(stage);
      return stage;
    };
    try {
      const outcome = await body();
      record(outcome);
      if (outcome.status === 'done' && name !== 'plan' && !options.dryRun) changed = true;
    } catch (error) {
      const failure = asInstallError(error, name);
      record({ status: 'failed', changes: [], message: failure.message });
      throw failure;
    }
  };

  let snapshot: InstallSnapshot | undefined;
  let plan: InstallPlan | undefined;
  let policy: Policy | undefined;
  let userId: string | undefined;
  let permissionSetId: string | undefined;
  let convergedAudit: AuditResult | undefined;

  try {
    await run('plan', async () => {
      policy = loadPolicy(options.policyPath);
      snapshot = await readOrgState(client, {
        permissionSetName: permissionSet.name,
        objectNames,
        runningUsername,
        permissionNames: policy.installOnly.map((p) => p.name),
        usernames: (org) => [...(options.username ? [options.username] : []), defaultUsername(org.id, runningUsername, org.sandboxName)],
        profileName: options.profile,
        forbidden: policy.forbidden,
      }).catch((error: unknown) => {
        throw setupAccessError(error, runningUsername, options.targetOrg);
      });
      result.org = snapshot.org;
      plan = computePlan(footprint, snapshot, {
        username: options.username,
        email: options.email,
        profile: options.profile,
        keepInstallPermissions: options.keepInstallPermissions,
        defaultUsername: defaultUsername(snapshot.org.id, runningUsername, snapshot.org.sandboxName),
        targetOrg: options.targetOrg,
      });
      result.plan = plan;
      result.warnings.push(...plan.warnings);
      const lines = describePlan(plan);
      options.progress?.planReady?.(plan, lines);
      return { status: 'done', changes: lines.slice(1).map((l) => l.trim()) };
    });
    const thePlan = plan as InstallPlan;
    const state = snapshot as InstallSnapshot;
    permissionSetId = state.permissionSet?.id;
    userId = thePlan.user.id;

    await run('deploy', async () => {
      if (!thePlan.footprint.deploy) return { status: 'unchanged', changes: [] };
      const outcome = await deployFootprint(connection, {
        dir: footprint.dir,
        checkOnly: options.dryRun,
        pollIntervalMs: options.deployPollMs,
        adminUsername: runningUsername,
      });
      result.apiCalls.deployPolls += outcome.polls;
      const { componentIds, ...deploy } = outcome;
      result.deploy = deploy;
      if (!outcome.success) {
        throw installError('DeployFailed', [formatFailures(outcome.failures) || outcome.status]);
      }
      if (!options.dryRun) writes++;
      permissionSetId ??= componentIds[`PermissionSet:${INTEGRATION_PERMISSION_SET}`];
      const key = options.dryRun ? 'change.deploy.checkOnly' : 'change.deploy';
      return { status: 'done', changes: [messages.getMessage(key, [outcome.componentsDeployed || outcome.componentsTotal])] };
    });

    if (options.dryRun) {
      for (const name of ['user', 'assign', 'wait', 'converge', 'verify'] as const) {
        await run(name, () => Promise.resolve({ status: 'skipped', changes: [], message: messages.getMessage('status.skipped.dryRun') }));
      }
      result.success = true;
      return finish();
    }

    await run('user', async () => {
      const u = thePlan.user;
      if (u.action === 'use') return { status: 'unchanged', changes: [] };
      if (u.action === 'reactivate') {
        const consent = options.noPrompt || (options.confirm ? await options.confirm(messages.getMessage('prompt.reactivate', [u.username])) : false);
        if (!consent) throw installError('UserInactive', [u.username]);
        await reactivateIntegrationUser(client, u, state.runningUser);
        writes++;
        return { status: 'done', changes: [messages.getMessage('change.user.reactivated', [u.username])] };
      }
      userId = await createIntegrationUser(client, u, state.runningUser);
      writes++;
      return { status: 'done', changes: [messages.getMessage('change.user.created', [u.username])] };
    });

    await run('assign', async () => {
      const a = thePlan.assignments;
      if (a.permissionSetLicence !== 'assign' && a.permissionSet !== 'assign') return { status: 'unchanged', changes: [] };
      if (a.permissionSet === 'assign' && !permissionSetId) permissionSetId = await findPermissionSetId(client);
      const outcome = await assign(client, {
        userId: userId ?? '',
        username: thePlan.user.username,
        pslId: a.permissionSetLicence === 'assign' ? a.pslId : undefined,
        pslLabel: INTEGRATION_PSL_LABEL,
        permissionSetId: a.permissionSet === 'assign' ? permissionSetId : undefined,
        permissionSetName: INTEGRATION_PERMISSION_SET,
        adminUsername: runningUsername,
      });
      writes++;
      const changes = [
        ...(outcome.psl === 'assigned' ? [messages.getMessage('change.psl', [INTEGRATION_PSL_LABEL])] : []),
        ...(outcome.permissionSet === 'assigned' ? [messages.getMessage('change.ps', [INTEGRATION_PERMISSION_SET])] : []),
      ];
      if (outcome.error) {
        if (changes.length) changed = true;
        throw outcome.error;
      }
      return { status: changes.length ? 'done' : 'unchanged', changes };
    });

    await run('wait', async () => {
      const pending = thePlan.footprint.deploy ? objectNames : thePlan.footprint.pendingActivation;
      if (pending.length === 0) return { status: 'unchanged', changes: [] };
      await waitForObjects(client, {
        objects: pending,
        timeoutMs: options.waitMinutes * 60_000,
        intervalMs: options.waitPollMs,
        targetOrg: options.targetOrg,
        waitMinutes: options.waitMinutes,
      });
      return { status: 'done', changes: [messages.getMessage('change.objects.usable', [pending.join(', ')])] };
    });

    await run('converge', async () => {
      const outcome = await converge(client, {
        policy: policy as Policy,
        userId: userId ?? '',
        username: thePlan.user.username,
        permissionSetId: permissionSetId ?? (await findPermissionSetId(client)),
        currentPermissions: state.permissionSet?.permissions ?? {},
        keepInstallPermissions: options.keepInstallPermissions,
        targetOrg: options.targetOrg,
      });
      writes += outcome.writes;
      convergedAudit = outcome.audit;
      result.warnings.push(...outcome.warnings);
      return { status: outcome.changes.length ? 'done' : 'unchanged', changes: outcome.changes };
    });

    await run('verify', async () => {
      const audit = await verify(client, {
        policy: policy as Policy,
        userId: userId ?? '',
        username: thePlan.user.username,
        keepInstallPermissions: options.keepInstallPermissions,
        targetOrg: options.targetOrg,
        audit: convergedAudit,
      });
      result.audit = audit.result;
      if (audit.failing.length) {
        throw installError('VerifyFailed', [thePlan.user.username, audit.failing.join('; ')], [options.targetOrg]);
      }
      return { status: 'unchanged', changes: audit.summary ? [audit.summary] : [] };
    });

    result.success = true;
    return finish();
  } catch (error) {
    finish();
    throw asFinalError(error);
  }

  function finish(): InstallResult {
    const u = plan?.user;
    if (u) {
      result.user = {
        id: userId,
        username: u.username,
        email: u.email,
        profile: u.profile?.name,
        licence: u.profile?.licence,
        active: u.action === 'use' || result.stages.some((s) => s.name === 'user' && s.status === 'done'),
      };
    }
    // The client's connection carries the Metadata API calls too (the deploy and its polls).
    result.apiCalls.total = client.apiCalls;
    result.apiCalls.writes = writes;
    return result;
  }

  function asFinalError(error: unknown): SfError {
    const base = error instanceof SfError ? error : SfError.wrap(error as Error);
    const failedStage = result.stages.find((s) => s.status === 'failed')?.name ?? 'plan';
    const partial = changed;
    const message = partial
      ? messages.getMessage('error.Partial', [base.message, messages.getMessage(`stage.${failedStage}`)])
      : base.message;
    result.error = { name: base.name, message, actions: base.actions ?? [] };
    const final = new SfError(message, base.name, base.actions, partial ? ExitCode.Partial : ExitCode.Failed, base);
    final.setData(result as unknown as Parameters<SfError['setData']>[0]);
    return final;
  }
}

/** The integration permission set's id when neither the plan nor the deploy result gave it (1 call). */
async function findPermissionSetId(client: SalesforceClient): Promise<string> {
  const rows = await client.query<{ Id: string }>(
    `SELECT Id FROM PermissionSet WHERE Name = ${soqlLiteral(INTEGRATION_PERMISSION_SET)}`
  );
  return rows[0]?.Id ?? '';
}

/** Setup objects (PermissionSet, PermissionSetAssignment, User...) are INVALID_TYPE to a user without View Setup. */
function setupAccessError(error: unknown, username: string, targetOrg: string): Error {
  if (error instanceof SalesforceApiError && error.errorCode === 'INVALID_TYPE') {
    return installError('MissingSetupAccess', [username], [targetOrg], error);
  }
  return error as Error;
}

/** Salesforce refusals that are not a stage's own error: API disabled, or a plain refusal named with its stage. */
function asInstallError(error: unknown, stage: StageName): Error {
  if (error instanceof SfError) return error;
  if (error instanceof SalesforceApiError) {
    if (['API_DISABLED_FOR_ORG', 'API_CURRENTLY_DISABLED', 'FUNCTIONALITY_NOT_ENABLED'].includes(error.errorCode)) {
      return installError('ApiDisabled', [`${error.errorCode}: ${error.message}`], [], error);
    }
    return installError('Salesforce', [messages.getMessage(`stage.${stage}`), error.message, error.errorCode], [], error);
  }
  return error as Error;
}
