/*
 * The REST data API of the local org: every route of emulator/rest registered on one router.
 */
import type { HttpRouter } from '../http/router.js';
import type { ApiMeter } from '../http/server.js';
import { installCollections } from './collections.js';
import { installComposite } from './composite.js';
import { installQuery } from './query.js';
import { installResources } from './resources.js';
import { installSObjects } from './sobjects.js';

export function installRest(router: HttpRouter, meter: ApiMeter): void {
  installResources(router, meter);
  installSObjects(router);
  installQuery(router);
  installCollections(router);
  installComposite(router);
}
