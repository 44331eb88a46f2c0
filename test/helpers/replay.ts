import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from './workflow-bundle';

const History = temporal.api.history.v1.History;

/** Committed workflow histories (protobuf binary, as Temporal stores them): replayed on every test run so a non-deterministic change fails fast. */
export const HISTORIES_DIR = join(__dirname, '..', 'fixtures', 'histories');

/**
 * Replays the histories of the given workflows (their latest run, or `runId`) against today's workflow
 * code, through the client's payload codecs, and returns the failures (empty when all replay). With
 * RECORD_HISTORIES=1 the histories are also saved as fixtures, decoded (clear payloads, as every fixture
 * is: a fixture must replay without the random key of the stack that recorded it).
 */
export async function replayWorkflows(
  client: Client,
  workflows: Array<{ workflowId: string; fixture: string; runId?: string }>,
): Promise<string[]> {
  const histories = await Promise.all(
    workflows.map(async ({ workflowId, fixture, runId }) => ({
      workflowId,
      fixture,
      history: await client.workflow.getHandle(workflowId, runId).fetchHistory(),
    })),
  );
  const codecs = client.options.loadedDataConverter.payloadCodecs;
  if (process.env.RECORD_HISTORIES === '1') {
    mkdirSync(HISTORIES_DIR, { recursive: true });
    for (const h of histories) {
      const decoded = await decodeHistory(h.history, codecs);
      writeFileSync(join(HISTORIES_DIR, `${h.fixture}.binpb`), History.encode(decoded).finish());
    }
  }
  return replay(
    histories.map((h) => ({ workflowId: h.workflowId, history: h.history })),
    codecs,
  );
}

/** A copy of a history with every payload decoded by `codecs` (payloads they did not encode stay as they are). */
export async function decodeHistory(
  history: temporal.api.history.v1.IHistory,
  codecs: PayloadCodec[],
): Promise<temporal.api.history.v1.IHistory> {
  const copy = History.decode(History.encode(history).finish());
  const decodeOne = async (payload: Payload): Promise<Payload> => {
    let decoded = [payload];
    for (const codec of [...codecs].reverse()) decoded = await codec.decode(decoded);
    return decoded[0]!;
  };
  const visit = async (node: unknown): Promise<void> => {
    if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return;
    const entries: Array<[string | number, unknown]> = Array.isArray(node)
      ? node.map((v, i) => [i, v])
      : Object.entries(node);
    for (const [key, value] of entries) {
      if (isPayload(value)) (node as Record<string | number, unknown>)[key] = await decodeOne(value);
      else await visit(value);
    }
  };
  await visit(copy);
  return copy;
}

/** A Payload message (the only message with both `metadata` and `data`). */
function isPayload(value: unknown): value is Payload {
  return (
    value !== null &&
    typeof value === 'object' &&
    'metadata' in value &&
    'data' in value &&
    (value as { data: unknown }).data instanceof Uint8Array
  );
}

/** Replays every committed fixture; returns the failures and how many were replayed. */
export async function replayFixtures(): Promise<{ replayed: number; failures: string[] }> {
  const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.binpb'));
  const histories = files.map((f) => ({
    workflowId: f.replace(/\.binpb$/, ''),
    history: History.decode(readFileSync(join(HISTORIES_DIR, f))),
  }));
  return { replayed: histories.length, failures: await replay(histories) };
}

async function replay(
  histories: Array<{ workflowId: string; history: unknown }>,
  payloadCodecs: PayloadCodec[] = [],
): Promise<string[]> {
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: await workflowBundle(), dataConverter: { payloadCodecs } },
    histories,
  )) {
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  return failures;
}

/** The history of a run with its payloads decoded by the client's codecs (what the workers saw). */
export async function fetchDecodedHistory(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<temporal.api.history.v1.IHistory> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  return decodeHistory(history, client.options.loadedDataConverter.payloadCodecs);
}
