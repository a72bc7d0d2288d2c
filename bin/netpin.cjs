#!/usr/bin/env node
'use strict';
// `npx netpin ...` from the repo: the compiled CLI (bin/cli-bundle.cjs keeps it up to date).
let bundle;
try {
  bundle = require('./cli-bundle.cjs').ensure();
} catch (e) {
  process.stderr.write(`netpin: ${e.message}\n`);
  process.exit(3);
}
require(bundle);
