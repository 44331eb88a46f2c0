import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Where the pinned Temporal binaries live (written by scripts/bootstrap.mjs). */
export interface TemporalToolchain {
  temporalCli: string;
  temporalTestServer: string;
}

const PATHS_FILE = join(__dirname, '..', '.tools', 'paths.json');

/** Thrown when the Temporal binaries have not been installed yet. */
export class TemporalToolchainMissingError extends Error {
  constructor(readonly pathsFile: string) {
    super(`Temporal binaries not installed (${pathsFile} is missing): run \`npm run setup\` first.`);
  }
}

/** Reads the toolchain paths (relative ones are relative to .tools); fails with what to do when they are missing. */
export function temporalToolchain(): TemporalToolchain {
  if (!existsSync(PATHS_FILE)) throw new TemporalToolchainMissingError(PATHS_FILE);
  const paths = JSON.parse(readFileSync(PATHS_FILE, 'utf8')) as TemporalToolchain;
  const base = dirname(PATHS_FILE);
  return {
    temporalCli: resolve(base, paths.temporalCli),
    temporalTestServer: resolve(base, paths.temporalTestServer),
  };
}
