import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdownFiles } from './markdown-links';
import { missingScripts, npmRunMentions } from './npm-scripts';

const root = resolve(__dirname, '../..');

describe('npm scripts the documents name', () => {
  it('every `npm run NAME` in the README and docs is a script of package.json', () => {
    expect(missingScripts(root, markdownFiles(root))).toEqual([]);
  });
});

describe('the mention finder', () => {
  it('finds script names with colons and dashes, once each, without trailing punctuation', () => {
    const text = 'Run `npm run bench:api -- --json`, then npm run build. Also npm run gen:schema and npm run build again; npm test';
    expect(npmRunMentions(text)).toEqual(['bench:api', 'build', 'gen:schema']);
  });
});
