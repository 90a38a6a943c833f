/*
 * The feature modules the local org installs at start, in order. Each module registers its routes, SOAP operations,
 * triggers and access policy on one Org. Append one import and one list entry per module.
 */
import type { EmulatorModule } from './core/types.js';
import { accessModule } from './access/index.js';
import { metadataModule } from './metadata/index.js';
import { oauthModule } from './oauth/index.js';
import { bulkModule } from './bulk/index.js';
import { chatterModule } from './chatter/index.js';
import { layoutsModule } from './layouts.js';

export const modules: EmulatorModule[] = [
  accessModule,
  metadataModule,
  oauthModule,
  bulkModule,
  chatterModule,
  layoutsModule,
];
