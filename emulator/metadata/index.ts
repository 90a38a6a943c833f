/*
 * The Metadata API of the local org: SOAP operations at POST /services/Soap/m/{version} (deploy, checkDeployStatus,
 * cancelDeploy, retrieve, checkRetrieveStatus, readMetadata, listMetadata, describeMetadata) and the REST deploy
 * (`/services/data/vXX.X/metadata/deployRequest`). Callers need Modify Metadata or Modify All Data.
 */
import { SalesforceError, type EmulatorModule, type Handler, type OrgApi, type Principal, type Reply, type RequestContext } from '../core/types.js';
import { cancelDeploy, deployOptions, deployResult, findJob, startDeploy } from './deploy.js';
import { parseMultipart } from './multipart.js';
import { manifestTypes } from './package-zip.js';
import {
  fileProperties,
  findRetrieve,
  listComponents,
  readComponent,
  retrieveResult,
  startRetrieve,
  supportedTypes,
} from './retrieve.js';
import { soapFault, soapOperation, soapResponse } from './soap.js';
import { asArray, text, type XmlObject } from './xml.js';

export const metadataAccessMessage =
  'use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permissions';

function mayUseMetadataApi(org: OrgApi, p: Principal | undefined): boolean {
  if (!p) return false;
  return org.access.hasPermission(p, 'ModifyMetadata') || org.access.hasPermission(p, 'ModifyAllData');
}

/** Wraps a SOAP operation: parses the body, checks access, turns errors into SOAP faults. */
function soapOp(operation: string, fn: (ctx: RequestContext, body: XmlObject) => unknown): Handler {
  return (ctx) => {
    try {
      if (ctx.principal) ctx.org.access.checkApi(ctx.principal);
      if (!mayUseMetadataApi(ctx.org, ctx.principal)) return soapFault('INSUFFICIENT_ACCESS', metadataAccessMessage);
      const body = ctx.soap?.raw ? soapOperation(ctx.soap.raw).body : ((ctx.soap?.body ?? {}) as XmlObject);
      return soapResponse(operation, fn(ctx, body));
    } catch (e) {
      // The SOAP API words the API-access refusal differently from REST.
      if (e instanceof SalesforceError && e.errorCode === 'API_DISABLED_FOR_ORG') {
        return soapFault(e.errorCode, 'API is not enabled for this Organization or Partner');
      }
      if (e instanceof SalesforceError) return soapFault(e.errorCode, e.message);
      return soapFault('UNKNOWN_EXCEPTION', (e as Error).message);
    }
  };
}

function deployOp(ctx: RequestContext, body: XmlObject): unknown {
  const zip = Buffer.from(text(body.ZipFile) ?? '', 'base64');
  const job = startDeploy(ctx.org, ctx.principal, zip, deployOptions(body.DeployOptions as Record<string, unknown>));
  return { done: false, id: job.id, state: 'Queued' };
}

function checkDeployStatusOp(ctx: RequestContext, body: XmlObject): unknown {
  const id = text(body.asyncProcessId) ?? '';
  const job = findJob(ctx.org, id);
  if (!job) throw new SalesforceError('INVALID_ID_FIELD', `Invalid id: ${id}`);
  return deployResult(job, text(body.includeDetails) === 'true');
}

function cancelDeployOp(ctx: RequestContext, body: XmlObject): unknown {
  const id = text(body.id) ?? text(body.String) ?? '';
  const job = cancelDeploy(ctx.org, id);
  if (!job) throw new SalesforceError('INVALID_ID_FIELD', `Invalid id: ${id}`);
  return { done: job.done, id: job.id };
}

function retrieveOp(ctx: RequestContext, body: XmlObject): unknown {
  const request = (body.request ?? {}) as XmlObject;
  const unpackaged = (request.unpackaged ?? {}) as XmlObject;
  const job = startRetrieve(ctx.org, ctx.principal, {
    types: manifestTypes(unpackaged),
    singlePackage: text(request.singlePackage) === 'true',
    apiVersion: text(request.apiVersion) ?? text(unpackaged.version) ?? ctx.org.options.apiVersion,
  });
  return { done: false, id: job.id, state: 'Queued' };
}

function checkRetrieveStatusOp(ctx: RequestContext, body: XmlObject): unknown {
  const id = text(body.asyncProcessId) ?? '';
  const job = findRetrieve(ctx.org, id);
  if (!job) throw new SalesforceError('INVALID_ID_FIELD', `Invalid id: ${id}`);
  return retrieveResult(job, text(body.includeZip) !== 'false');
}

function readMetadataOp(ctx: RequestContext, body: XmlObject): unknown {
  const type = text(body.type) ?? '';
  const records = asArray(body.fullNames).map((n) => {
    const md = readComponent(ctx.org, type, text(n) ?? '');
    return { '@xsi:type': type, ...(md ?? {}) };
  });
  return { records };
}

function listMetadataOp(ctx: RequestContext, body: XmlObject): unknown {
  return asArray<XmlObject>(body.queries).flatMap((q) =>
    listComponents(ctx.org, text(q.type) ?? '').map((i) => fileProperties(ctx.org, i))
  );
}

function describeMetadataOp(): unknown {
  return {
    metadataObjects: supportedTypes.map((t) => ({
      childXmlNames: t.childXmlNames,
      directoryName: t.directoryName,
      inFolder: false,
      metaFile: false,
      suffix: t.suffix,
      xmlName: t.xmlName,
    })),
    organizationNamespace: '',
    partialSaveAllowed: true,
    testRequired: false,
  };
}

// ------------------------------------------------------------------ REST deploy

function requireMetadataAccess(ctx: RequestContext): void {
  if (!mayUseMetadataApi(ctx.org, ctx.principal)) {
    throw new SalesforceError('INSUFFICIENT_ACCESS', metadataAccessMessage, [], 403);
  }
}

function restDeploy(ctx: RequestContext): Reply {
  requireMetadataAccess(ctx);
  const contentType = String(ctx.headers['content-type'] ?? '');
  const parts = parseMultipart(ctx.body, contentType);
  const file = parts.find((p) => p.name === 'file' || p.filename);
  if (!file) throw new SalesforceError('INVALID_MULTIPART_REQUEST', 'The multipart request must include a zip file part.');
  const entity = parts.find((p) => p.name === 'entity_content');
  const parsed = entity ? (JSON.parse(entity.data.toString('utf8')) as { deployOptions?: Record<string, unknown> }) : {};
  const options = deployOptions(parsed.deployOptions);
  const job = startDeploy(ctx.org, ctx.principal, file.data, options);
  return {
    status: 201,
    body: {
      id: job.id,
      validatedDeployRequestId: null,
      deployOptions: { ...options, allowMissingFiles: false, autoUpdatePackage: false, performRetrieve: false, runTests: [] },
      deployResult: deployResult(job, false),
    },
  };
}

function restDeployStatus(ctx: RequestContext): Reply {
  requireMetadataAccess(ctx);
  const job = findJob(ctx.org, ctx.params.id);
  if (!job) throw new SalesforceError('NOT_FOUND', 'The requested resource does not exist', [], 404);
  return {
    status: 200,
    body: {
      id: job.id,
      url: `${ctx.path.replace(/\?.*$/, '')}`,
      validatedDeployRequestId: null,
      deployOptions: job.options,
      deployResult: deployResult(job, ctx.query.get('includeDetails') === 'true'),
    },
  };
}

function restDeployCancel(ctx: RequestContext): Reply {
  requireMetadataAccess(ctx);
  const job = cancelDeploy(ctx.org, ctx.params.id);
  if (!job) throw new SalesforceError('NOT_FOUND', 'The requested resource does not exist', [], 404);
  return { status: 202, body: { id: job.id, deployResult: deployResult(job, false) } };
}

export const metadataModule: EmulatorModule = {
  name: 'metadata',
  install(_org, router) {
    router.soap('deploy', soapOp('deploy', deployOp));
    router.soap('checkDeployStatus', soapOp('checkDeployStatus', checkDeployStatusOp));
    router.soap('cancelDeploy', soapOp('cancelDeploy', cancelDeployOp));
    router.soap('retrieve', soapOp('retrieve', retrieveOp));
    router.soap('checkRetrieveStatus', soapOp('checkRetrieveStatus', checkRetrieveStatusOp));
    router.soap('readMetadata', soapOp('readMetadata', readMetadataOp));
    router.soap('listMetadata', soapOp('listMetadata', listMetadataOp));
    router.soap('describeMetadata', soapOp('describeMetadata', describeMetadataOp));
    router.add('POST', '/services/data/:version/metadata/deployRequest', restDeploy);
    router.add('GET', '/services/data/:version/metadata/deployRequest/:id', restDeployStatus);
    router.add('PATCH', '/services/data/:version/metadata/deployRequest/:id', restDeployCancel);
  },
};
