import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../config/payload-codec';

/** Where `npm run build:workflows` writes the bundle when no path is given. */
export const DEFAULT_WORKFLOW_BUNDLE = resolve(__dirname, '..', '.build', 'workflow-bundle.js');

type BundleLogger = Parameters<typeof bundleWorkflowCode>[0]['logger'];

/**
 * The workflows/ bundle with the product's failure converter (failures' messages encoded), as a worker
 * that bundles at start makes it. Bundling runs webpack: seconds of CPU and about 100 MB of memory.
 */
export function bundleWorkflows(logger?: BundleLogger): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    ...(logger && { logger }),
  });
}

/** Bundles workflows/ and writes the code to `path` (a worker loads it with WORKFLOW_BUNDLE=path). */
export async function writeWorkflowBundle(
  path = DEFAULT_WORKFLOW_BUNDLE,
): Promise<{ path: string; bytes: number }> {
  const { code } = await bundleWorkflows();
  const target = resolve(path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, code);
  return { path: target, bytes: Buffer.byteLength(code) };
}

/**
 * The worker's workflow source: the prebuilt bundle at `path` (it must exist), or workflows/ to bundle
 * at start.
 */
export function workflowSource(
  path: string | undefined,
): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  if (path === undefined) return { workflowsPath: require.resolve('../workflows') };
  const codePath = resolve(path);
  if (!existsSync(codePath))
    throw new Error(
      `WORKFLOW_BUNDLE: no file at ${codePath}; build it with \`npm run build:workflows -- ${path}\` or unset it`,
    );
  return { workflowBundle: { codePath } };
}

if (require.main === module)
  writeWorkflowBundle(process.argv[2]).then(
    ({ path, bytes }) => console.log(`workflow bundle written to ${path} (${Math.round(bytes / 1024)} KiB)`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
