import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';

/** Signal: an echo request the probe records. */
export const echoSignal = defineSignal<[{ text: string }]>('echo');
/** Query: everything echoed so far. */
export const echoedQuery = defineQuery<string[]>('echoed');
/** Signal: ends the probe. */
export const finishSignal = defineSignal('finish');

/**
 * A tiny workflow that proves the whole toolchain end to end (client -> server -> worker and back):
 * the dev stack runs it at start to know the worker is serving, and tests use it as a round trip.
 */
export async function stackProbe(): Promise<string[]> {
  const echoed: string[] = [];
  let finished = false;
  setHandler(echoSignal, ({ text }) => void echoed.push(text));
  setHandler(echoedQuery, () => echoed);
  setHandler(finishSignal, () => void (finished = true));
  await condition(() => finished);
  return echoed;
}
