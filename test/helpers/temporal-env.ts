import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SearchAttributeType } from '@temporalio/common';
import { temporalToolchain } from '../../common/temporal-toolchain';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../common/search-attributes';

/** Time-skipping test server from the pinned PyPI package (never the SDK's download). */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalToolchain().temporalTestServer } },
  });
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
