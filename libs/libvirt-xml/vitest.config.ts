import { projectConfig } from '../../vitest.shared';

// UPDATE_GOLDEN=1 rewrites __golden__/*.xml (toMatchFileSnapshot) so the diff is reviewed.
export default projectConfig(__dirname, process.env['UPDATE_GOLDEN'] === '1' ? { update: 'all' } : {});
