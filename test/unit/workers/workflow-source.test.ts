import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workflowSource } from '../../../workers/workflow-bundle';

describe('workflowSource (WORKFLOW_BUNDLE)', () => {
  it('unset: workflows/ is bundled at start', () => {
    expect(workflowSource(undefined)).toEqual({ workflowsPath: require.resolve('../../../workflows') });
  });

  it('set: the prebuilt bundle, by its absolute path', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cb-bundle-')), 'workflows.js');
    writeFileSync(path, '// bundle');
    expect(workflowSource(path)).toEqual({ workflowBundle: { codePath: path } });
  });

  it('a path with no file is refused with how to build it', () => {
    expect(() => workflowSource('/nonexistent/workflows.js')).toThrow(
      'WORKFLOW_BUNDLE: no file at /nonexistent/workflows.js; build it with `npm run build:workflows -- /nonexistent/workflows.js` or unset it',
    );
  });
});
