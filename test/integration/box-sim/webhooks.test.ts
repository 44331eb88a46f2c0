/** Contract: webhooks v2 (create/list/get/delete) and signed deliveries checked by box-node-sdk. */
import type { BoxClient } from 'box-node-sdk';
import { WebhooksManager } from 'box-node-sdk/managers/webhooks';
import { startBoxSim, type BoxSim, type FileTruth } from '../../../box-sim';
import { connectAs } from './sdk-session';
import { startReceiver, type Receiver } from './webhook-receiver';

type Payload = {
  type: string;
  id: string;
  trigger: string;
  webhook: { id: string };
  source: { id: string; type: string; item?: { id: string } };
  created_by: { id: string };
};

describe('box-sim webhooks through box-node-sdk', () => {
  let sim: BoxSim;
  let receiver: Receiver;
  let admin: BoxClient;
  let file: FileTruth;

  beforeAll(async () => {
    sim = await startBoxSim({
      seed: 3,
      users: 5,
      files: 120,
      webhookRetryDelaysMs: [20, 20, 20],
      webhookTimeoutMs: 300,
    });
    receiver = await startReceiver();
    admin = (await connectAs(sim, sim.manifest.admin.login)).client;
    file = [...sim.manifest.files()].find((f) => f.ownerId === sim.manifest.admin.id)!;
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
  });

  test('create, list, get and delete; folder 0 is refused; one webhook per target per app and user', async () => {
    await expect(
      admin.webhooks.createWebhook({
        target: { id: '0', type: 'folder' },
        address: receiver.url,
        triggers: ['FILE.UPLOADED'],
      }),
    ).rejects.toMatchObject({ responseInfo: { statusCode: 400 } });
    const hook = await admin.webhooks.createWebhook({
      target: { id: file.id, type: 'file' },
      address: receiver.url,
      triggers: ['FILE.PREVIEWED'],
    });
    expect(hook).toMatchObject({
      type: 'webhook',
      target: { id: file.id, type: 'file' },
      address: receiver.url,
      triggers: ['FILE.PREVIEWED'],
    });
    await expect(
      admin.webhooks.createWebhook({
        target: { id: file.id, type: 'file' },
        address: receiver.url,
        triggers: ['FILE.UPLOADED'],
      }),
    ).rejects.toMatchObject({ responseInfo: { statusCode: 409, body: { code: 'conflict' } } });
    expect((await admin.webhooks.getWebhooks()).entries?.map((h) => h.id)).toContain(hook.id);
    expect((await admin.webhooks.getWebhookById(hook.id!)).id).toBe(hook.id);
    await admin.webhooks.deleteWebhookById(hook.id!);
    await expect(admin.webhooks.getWebhookById(hook.id!)).rejects.toMatchObject({
      responseInfo: { statusCode: 404 },
    });
    await expect(
      admin.webhooks.createWebhook({
        target: { id: '1000000999999', type: 'file' },
        address: receiver.url,
        triggers: ['FILE.UPLOADED'],
      }),
    ).rejects.toMatchObject({ responseInfo: { statusCode: 404 } });
  });

  test('a folder webhook fires for activity on a file below it; WebhooksManager.validateMessage accepts the delivery and rejects a tampered one', async () => {
    const top = file.path.split('/').filter(Boolean)[0]!;
    const root = await admin.folders.getFolderItems('0', { queryParams: { limit: 1000 } });
    const folder = root.entries!.find((e) => e.type === 'folder' && (e as { name?: string }).name === top)!;
    const hook = await admin.webhooks.createWebhook({
      target: { id: folder.id, type: 'folder' },
      address: receiver.url,
      triggers: ['FILE.UPLOADED', 'FILE.PREVIEWED'],
    });
    const result = sim.control.edit(file.id);
    expect(result.webhookDeliveries).toBe(1);
    const [delivery] = await receiver.waitFor(1);
    const payload = JSON.parse(delivery!.body) as Payload;
    expect(payload).toMatchObject({
      type: 'webhook_event',
      trigger: 'FILE.UPLOADED',
      webhook: { id: hook.id },
      source: { type: 'file', id: file.id },
      created_by: { id: sim.manifest.admin.id },
    });
    expect(delivery!.headers).toMatchObject({
      'box-signature-version': '1',
      'box-signature-algorithm': 'HmacSHA256',
    });
    expect(delivery!.headers['box-delivery-id']).toBeTruthy();
    const keys = { secondaryKey: sim.webhookSecondaryKey };
    expect(
      await WebhooksManager.validateMessage(delivery!.body, delivery!.headers, sim.webhookPrimaryKey, keys),
    ).toBe(true);
    expect(
      await WebhooksManager.validateMessage(delivery!.body, delivery!.headers, 'wrong-key', {
        secondaryKey: sim.webhookSecondaryKey,
      }),
    ).toBe(true);
    expect(
      await WebhooksManager.validateMessage(
        delivery!.body.replace(file.id, '1000000000001'),
        delivery!.headers,
        sim.webhookPrimaryKey,
        keys,
      ),
    ).toBe(false);
    expect(
      await WebhooksManager.validateMessage(
        delivery!.body,
        { ...delivery!.headers, 'box-delivery-timestamp': '2020-01-01T00:00:00+00:00' },
        sim.webhookPrimaryKey,
        keys,
      ),
    ).toBe(false);
    await admin.webhooks.deleteWebhookById(hook.id!);
  });

  test('a failed delivery is retried with the same payload id and a new delivery id', async () => {
    const hook = await admin.webhooks.createWebhook({
      target: { id: file.id, type: 'file' },
      address: receiver.url,
      triggers: ['FILE.DOWNLOADED'],
    });
    receiver.nextStatuses.push(500, 503);
    sim.control.download(file.id);
    const got = await receiver.waitFor(3);
    expect(got).toHaveLength(3);
    const payloads = got.map((d) => JSON.parse(d.body) as Payload);
    expect(new Set(payloads.map((p) => p.id)).size).toBe(1);
    expect(new Set(got.map((d) => d.headers['box-delivery-id'])).size).toBe(3);
    await sim.webhooksIdle();
    const attempts = sim.webhookDeliveries().filter((a) => a.payloadId === payloads[0]!.id);
    expect(attempts.map((a) => a.status)).toEqual([500, 503, 200]);
    await admin.webhooks.deleteWebhookById(hook.id!);
  });

  test('a delivery without an answer within the timeout counts as failed and is retried', async () => {
    const hook = await admin.webhooks.createWebhook({
      target: { id: file.id, type: 'file' },
      address: receiver.url,
      triggers: ['FILE.PREVIEWED'],
    });
    receiver.nextDelaysMs.push(2000);
    sim.control.preview(file.id);
    await receiver.waitFor(2);
    await sim.webhooksIdle();
    const payloadId = (JSON.parse(receiver.received[0]!.body) as Payload).id;
    const attempts = sim.webhookDeliveries().filter((a) => a.payloadId === payloadId);
    expect(attempts.map((a) => a.status)).toEqual([0, 200]);
    expect(attempts[0]!.error).toBeDefined();
    await admin.webhooks.deleteWebhookById(hook.id!);
  });

  test('each control operation produces the admin event and the webhook trigger Box would', async () => {
    const hook = await admin.webhooks.createWebhook({
      target: { id: file.id, type: 'file' },
      address: receiver.url,
      triggers: [
        'FILE.UPLOADED',
        'FILE.PREVIEWED',
        'FILE.DOWNLOADED',
        'FILE.RENAMED',
        'FILE.MOVED',
        'FILE.TRASHED',
        'FILE.RESTORED',
        'SHARED_LINK.CREATED',
        'SHARED_LINK.UPDATED',
        'SHARED_LINK.DELETED',
        'COLLABORATION.CREATED',
        'COLLABORATION.UPDATED',
        'COLLABORATION.REMOVED',
        'FILE.DELETED',
      ],
    });
    const other = [...sim.manifest.files()].find(
      (f) => f.ownerId === file.ownerId && f.parentId !== file.parentId,
    )!;
    const c = sim.control;
    const steps: Array<[() => { events: ReadonlyArray<{ type: string }> }, string | undefined, string]> = [
      [() => c.edit(file.id, { text: 'v2' }), 'EDIT', 'FILE.UPLOADED'],
      [() => c.preview(file.id), 'PREVIEW', 'FILE.PREVIEWED'],
      [() => c.download(file.id), 'DOWNLOAD', 'FILE.DOWNLOADED'],
      [
        () => c.share(file.id, { access: file.sharedLinkAccess === 'open' ? 'company' : 'open' }),
        file.sharedLinkAccess === 'none' ? 'SHARE' : 'ITEM_SHARED_UPDATE',
        file.sharedLinkAccess === 'none' ? 'SHARED_LINK.CREATED' : 'SHARED_LINK.UPDATED',
      ],
      [() => c.share(file.id, { access: 'none' }), 'UNSHARE', 'SHARED_LINK.DELETED'],
      [
        () => c.collaborate(file.id, { email: 'outsider@partner-agency.example', role: 'viewer' }),
        'COLLABORATION_INVITE',
        'COLLABORATION.CREATED',
      ],
      [
        () => c.collaborate(file.id, { email: 'outsider@partner-agency.example', role: 'editor' }),
        'COLLABORATION_ROLE_CHANGE',
        'COLLABORATION.UPDATED',
      ],
      [
        () => c.uncollaborate(file.id, { email: 'outsider@partner-agency.example' }),
        'COLLABORATION_REMOVE',
        'COLLABORATION.REMOVED',
      ],
      [() => c.rename(file.id, { name: 'renamed.txt' }), 'RENAME', 'FILE.RENAMED'],
      [() => c.move(file.id, { folderId: other.parentId }), 'MOVE', 'FILE.MOVED'],
      [() => c.trash(file.id), 'DELETE', 'FILE.TRASHED'],
      [() => c.restore(file.id), 'UNDELETE', 'FILE.RESTORED'],
      [() => c.delete(file.id), undefined, 'FILE.DELETED'],
    ];
    for (const [i, [run, eventType, trigger]] of steps.entries()) {
      const result = run();
      expect(result.events.map((e) => e.type)).toEqual(eventType ? [eventType] : []);
      const got = await receiver.waitFor(i + 1);
      const payload = JSON.parse(got[i]!.body) as Payload;
      expect(payload.trigger).toBe(trigger);
      expect(payload.source.type === 'collaboration' ? payload.source.item?.id : payload.source.id).toBe(
        file.id,
      );
    }
    expect(sim.manifest.file(file.id)).toMatchObject({
      deleted: true,
      name: 'renamed.txt',
      parentId: other.parentId,
      sharedLinkAccess: 'none',
    });
    await admin.webhooks.deleteWebhookById(hook.id!);
  });

  test('uploads and copies into a watched folder fire FILE.UPLOADED and FILE.COPIED with UPLOAD and COPY events', async () => {
    const source = [...sim.manifest.files()].find(
      (f) => f.ownerId === sim.manifest.admin.id && !f.deleted && f.id !== file.id,
    )!;
    const hook = await admin.webhooks.createWebhook({
      target: { id: source.parentId, type: 'folder' },
      address: receiver.url,
      triggers: ['FILE.UPLOADED', 'FILE.COPIED'],
    });
    const uploaded = sim.control.upload(source.parentId, {
      name: 'new-notes.txt',
      text: 'SSN 123-45-6789\n',
    });
    expect(uploaded.events.map((e) => e.type)).toEqual(['UPLOAD']);
    const copied = sim.control.copy(source.id, { folderId: source.parentId });
    expect(copied.events.map((e) => e.type)).toEqual(['COPY']);
    const got = await receiver.waitFor(2);
    const payloads = got.map((d) => JSON.parse(d.body) as Payload);
    expect(payloads.map((p) => [p.trigger, p.source.id])).toEqual([
      ['FILE.UPLOADED', uploaded.newFileId],
      ['FILE.COPIED', copied.newFileId],
    ]);
    expect(sim.manifest.file(copied.newFileId!)).toMatchObject({
      sha1: source.sha1,
      parentId: source.parentId,
    });
    const listed = await admin.folders.getFolderItems(source.parentId, { queryParams: { limit: 1000 } });
    expect(listed.entries!.map((e) => e.id)).toEqual(
      expect.arrayContaining([uploaded.newFileId, copied.newFileId]),
    );
    await admin.webhooks.deleteWebhookById(hook.id!);
  });

  test('the control API over HTTP produces the same activity', async () => {
    const target = [...sim.manifest.files()].find(
      (f) => f.ownerId === sim.manifest.admin.id && !f.deleted && f.id !== file.id,
    )!;
    const answer = await fetch(`${sim.baseUrl}/_sim/files/${target.id}/share`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ asUser: sim.manifest.admin.login, access: 'open' }),
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { events: Array<{ type: string }> };
    expect(body.events.length).toBeLessThanOrEqual(1);
    expect((await fetch(`${sim.baseUrl}/_sim/files/1000009999999/preview`, { method: 'POST' })).status).toBe(
      404,
    );
  });
});

describe('box-sim with apiDownloadsAreUserActions', () => {
  test('a download through the API logs DOWNLOAD and fires FILE.DOWNLOADED, as Box does', async () => {
    const sim = await startBoxSim({ seed: 4, users: 4, files: 30, apiDownloadsAreUserActions: true });
    const receiver = await startReceiver();
    try {
      const { client } = await connectAs(sim, sim.manifest.admin.login);
      const file = [...sim.manifest.files()].find((f) => f.ownerId === sim.manifest.admin.id)!;
      await client.webhooks.createWebhook({
        target: { id: file.id, type: 'file' },
        address: receiver.url,
        triggers: ['FILE.DOWNLOADED'],
      });
      const before = sim.manifest.eventCount();
      const stream = await client.downloads.downloadFile(file.id);
      for await (const chunk of stream!) void chunk;
      const [delivery] = await receiver.waitFor(1);
      expect((JSON.parse(delivery!.body) as Payload).trigger).toBe('FILE.DOWNLOADED');
      expect(sim.manifest.eventCount()).toBe(before + 1);
      const logged = sim.manifest.eventsBetween(Date.now() - 60_000, Date.now() + 60_000).pop()!;
      expect(logged).toMatchObject({ eventType: 'DOWNLOAD', fileId: file.id, userId: sim.manifest.admin.id });
    } finally {
      await sim.close();
      await receiver.close();
    }
  });
});
