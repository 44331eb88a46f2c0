import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SearchAttributeType } from '@temporalio/common';
import { temporalToolchain } from '../../scripts/temporal-toolchain';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../common/search-attributes';

/** IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD in Temporal's API. */
const INDEXED_VALUE_TYPE_KEYWORD = 2;

/** Time-skipping test server from the pinned PyPI package (never the SDK's download), search attributes registered. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalToolchain().temporalTestServer } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      Object.keys(CUSTOM_SEARCH_ATTRIBUTES).map((name) => [name, INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
  return env;
}

/** A real dev server (temporal CLI) with the project's search attributes registered. */
export function createLocalEnv(): Promise<TestWorkflowEnvironment> {
  const searchAttributes = Object.keys(CUSTOM_SEARCH_ATTRIBUTES).map((name) => ({
    name,
    type: SearchAttributeType.KEYWORD,
  }));
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalToolchain().temporalCli },
      searchAttributes,
      extraArgs: ['--log-level', 'error'],
    },
  });
}
