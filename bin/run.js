#!/usr/bin/env node
// Production entry point: runs the compiled commands in lib/.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
