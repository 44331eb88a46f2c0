/**
 * The failure converter of every client and worker (`failureConverterPath` of temporalDataConverter): error
 * messages and stack traces travel as an encoded payload, so the payload codec encrypts them too. Loaded
 * inside the workflow sandbox as well, so it imports nothing but the SDK.
 */
import { DefaultFailureConverter } from '@temporalio/common';

/** The `failureConverter` named export the SDK requires from a failureConverterPath module. */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
