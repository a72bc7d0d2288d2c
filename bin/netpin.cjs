#!/usr/bin/env node
'use strict';
// `npx netpin ...` from the repo: run the TypeScript CLI through SWC, no build step.
const path = require('node:path');

const root = path.resolve(__dirname, '..');
process.env.SWC_NODE_PROJECT = path.join(root, 'tsconfig.json');
require('@swc-node/register');
require(path.join(root, 'apps/cli/src/main.ts'));
