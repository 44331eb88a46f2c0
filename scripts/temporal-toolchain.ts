import { readFileSync, existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** Where the pinned Temporal binaries live (written by scripts/bootstrap.mjs; relative paths are in .tools/). */
export interface TemporalToolchain {
  temporalCli: string;
  temporalTestServer: string;
}

const TOOLS_DIR = join(__dirname, '..', '.tools');
const PATHS_FILE = join(TOOLS_DIR, 'paths.json');

/** Thrown when the Temporal binaries have not been installed yet. */
export class TemporalToolchainMissingError extends Error {
  constructor(readonly pathsFile: string) {
    super(`Temporal binaries not installed (${pathsFile} is missing): run \`npm run setup\` first.`);
  }
}

/** Reads the toolchain paths; fails with what to do when they are missing. */
export function temporalToolchain(): TemporalToolchain {
  if (!existsSync(PATHS_FILE)) throw new TemporalToolchainMissingError(PATHS_FILE);
  const paths = JSON.parse(readFileSync(PATHS_FILE, 'utf8')) as TemporalToolchain;
  const resolve = (p: string) => (isAbsolute(p) ? p : join(TOOLS_DIR, p));
  return { temporalCli: resolve(paths.temporalCli), temporalTestServer: resolve(paths.temporalTestServer) };
}
