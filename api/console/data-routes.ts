import type { ApiApp } from '../api-app';
import { registerActivityRoutes } from './activity-routes';
import type { ConsoleContext } from './console-routes';
import { registerFilesRoutes } from './files-routes';
import { registerFindingsRoutes } from './findings-routes';
import { registerGovernanceRoutes } from './governance-routes';

/** The console's data pages (docs/operators.md): files, findings, activity log, governance. */
export function registerDataRoutes(scope: ApiApp, ctx: ConsoleContext): void {
  registerFilesRoutes(scope, ctx);
  registerFindingsRoutes(scope, ctx);
  registerActivityRoutes(scope, ctx);
  registerGovernanceRoutes(scope, ctx);
}
