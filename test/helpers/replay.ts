import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from './workflow-bundle';

const History = temporal.api.history.v1.History;

/** Committed workflow histories (protobuf binary, as Temporal stores them): replayed on every test run so a non-deterministic change fails fast. */
export const HISTORIES_DIR = join(__dirname, '..', 'fixtures', 'histories');

/**
 * Replays the histories of the given workflows (their latest run, or `runId`) against today's workflow
 * code and returns the failures (empty when all replay). With RECORD_HISTORIES=1 the histories are also saved as fixtures.
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
  if (process.env.RECORD_HISTORIES === '1') {
    mkdirSync(HISTORIES_DIR, { recursive: true });
    for (const h of histories)
      writeFileSync(join(HISTORIES_DIR, `${h.fixture}.binpb`), History.encode(h.history).finish());
  }
  return replay(histories.map((h) => ({ workflowId: h.workflowId, history: h.history })));
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

async function replay(histories: Array<{ workflowId: string; history: unknown }>): Promise<string[]> {
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: await workflowBundle() },
    histories,
  )) {
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  return failures;
}
