import { TYPES_WITH_KIND, kindOfEventType } from '../../../domain/file-event';
import { EVENT_KINDS } from '../../../domain/file-event';

describe('kindOfEventType', () => {
  it.each([
    ['FILE.UPLOADED', 'content'],
    ['FILE.RESTORED', 'content'],
    ['UPLOAD', 'content'],
    ['EDIT', 'content'],
    ['ITEM_MODIFY', 'content'],
    ['UNDELETE', 'content'],
    ['SHARED_LINK.CREATED', 'sharing'],
    ['SHARED_LINK.UPDATED', 'sharing'],
    ['SHARED_LINK.DELETED', 'sharing'],
    ['SHARE', 'sharing'],
    ['ITEM_SHARED_UPDATE', 'sharing'],
    ['UNSHARE', 'sharing'],
    ['COLLABORATION.CREATED', 'sharing'],
    ['COLLABORATION.UPDATED', 'sharing'],
    ['COLLABORATION.REMOVED', 'sharing'],
    ['COLLABORATION_INVITE', 'sharing'],
    ['COLLABORATION_ROLE_CHANGE', 'sharing'],
    ['COLLABORATION_REMOVE', 'sharing'],
    ['FILE.RENAMED', 'metadata'],
    ['FILE.MOVED', 'metadata'],
    ['FILE.COPIED', 'metadata'],
    ['RENAME', 'metadata'],
    ['MOVE', 'metadata'],
    ['COPY', 'metadata'],
    ['FILE.PREVIEWED', 'view'],
    ['FILE.DOWNLOADED', 'view'],
    ['PREVIEW', 'view'],
    ['ITEM_OPEN', 'view'],
    ['CONTENT_ACCESS', 'view'],
    ['DOWNLOAD', 'view'],
    ['FILE.TRASHED', 'delete'],
    ['FILE.DELETED', 'delete'],
    ['DELETE', 'delete'],
  ])('maps %s to %s, as the kind table says', (type, kind) => {
    expect(kindOfEventType(type)).toBe(kind);
  });

  it('gives no kind to events that do not concern a file’s content, sharing or name', () => {
    for (const type of [
      'LOGIN',
      'FAILED_LOGIN',
      'ADD_LOGIN_ACTIVITY_DEVICE',
      'FOLDER.CREATED',
      'WEBHOOK.DELETED',
    ])
      expect(kindOfEventType(type)).toBeUndefined();
  });

  it('is exact about spelling (Box sends upper case)', () => {
    expect(kindOfEventType('edit')).toBeUndefined();
    expect(kindOfEventType('file.uploaded')).toBeUndefined();
  });

  it('uses every kind and maps no type twice', () => {
    const kinds = new Set(TYPES_WITH_KIND.map((t) => kindOfEventType(t)));
    expect([...kinds].sort()).toEqual([...EVENT_KINDS].sort());
    expect(new Set(TYPES_WITH_KIND).size).toBe(TYPES_WITH_KIND.length);
  });
});
