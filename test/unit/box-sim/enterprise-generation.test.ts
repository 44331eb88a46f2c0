/**
 * Unit: the seeded generation is pinned. Benchmarks, demos and recorded test expectations rely on a seed
 * giving the same enterprise forever, so any change to generation must show up here as a changed value.
 */
import { createHash } from 'node:crypto';
import { Enterprise, rootParent } from '../../../box-sim/enterprise';

const NOW = Date.parse('2026-11-20T12:00:00Z');

/** Everything generation decides, read back through the public model, as one digest. */
function generationDigest(e: Enterprise): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(e.users));
  h.update(`${e.enterpriseId}|${e.folderCount}|${e.baseFileCount}`);
  for (let f = 0; f < e.folderCount; f++) {
    h.update(
      `d${f}:${e.folderOwnerOf(f)},${e.folderParentOf(f)},${e.folderCreatedAtOf(f)},${e.folderName(f)},` +
        `${e.subfolders(f).join('.')}|${e.filesIn(f).join('.')}|` +
        JSON.stringify(e.folderCollaborations(f)),
    );
  }
  for (let u = 0; u < e.users.length; u++) {
    h.update(`r${u}:${e.subfolders(-1, u).join('.')}|${JSON.stringify(e.sharedWithUser(u))}`);
  }
  for (let i = 0; i < e.baseFileCount; i++) {
    h.update(
      `f${i}:${e.fileParentOf(i)},${e.fileModifiedAtOf(i)},${e.fileCreatedAt(i)},${e.fileShareAccess(i)},` +
        `${e.fileName(i)},${e.fileVersionOf(i)},${JSON.stringify(e.fileCollaborations(i))}`,
    );
  }
  return h.digest('hex');
}

describe('seeded generation is pinned', () => {
  test('seed 7, 12 users, 3,000 files: the same folders, files, collaborations and shares as recorded', () => {
    const e = new Enterprise({ seed: 7, users: 12, files: 3000, now: NOW });
    expect(e.enterpriseId).toBe(PINNED.enterpriseId);
    expect(e.folderCount).toBe(300);
    expect([e.folderOwnerOf(5), e.folderParentOf(5), e.folderCreatedAtOf(5)]).toEqual(PINNED.folder5);
    expect([e.fileParentOf(1234), e.fileModifiedAtOf(1234), e.fileShareAccess(1234)]).toEqual(
      PINNED.file1234,
    );
    expect(e.folderCollaborations(PINNED.collabFolder).map((c) => [c.id, c.email, c.role])).toEqual(
      PINNED.collabFolderCollabs,
    );
    expect(generationDigest(e)).toBe(PINNED.digest);
  });

  test('seed 1, 3 users, 0 files (the smallest enterprise) is pinned too', () => {
    const e = new Enterprise({ seed: 1, users: 3, files: 0, now: NOW });
    expect(generationDigest(e)).toBe(PINNED.emptyDigest);
  });

  test('rootFiles: the same seed puts the same files in root folders; the default is the pinned enterprise', () => {
    const a = new Enterprise({ seed: 7, users: 12, files: 3000, now: NOW, rootFiles: 0.05 });
    const b = new Enterprise({ seed: 7, users: 12, files: 3000, now: NOW, rootFiles: 0.05 });
    expect(generationDigest(a)).toBe(generationDigest(b));
    expect(
      generationDigest(new Enterprise({ seed: 7, users: 12, files: 3000, now: NOW, rootFiles: 0 })),
    ).toBe(PINNED.digest);
    const atRoot = Array.from({ length: 3000 }, (_, i) => i).filter((i) => a.isInRootFolder(i));
    expect(atRoot.length).toBeGreaterThan(100);
    expect(atRoot.length).toBeLessThan(200);
    const perUser = a.users.flatMap((u) => a.filesIn(rootParent(u.index)));
    expect(perUser.sort((x, y) => x - y)).toEqual(atRoot);
    // Only the placement differs: a root file keeps the times and share it would have had in its folder.
    const plain = new Enterprise({ seed: 7, users: 12, files: 3000, now: NOW });
    for (const i of atRoot) {
      expect(a.fileOwner(i)).toBe(plain.fileOwner(i));
      expect([a.fileModifiedAtOf(i), a.fileShareAccess(i)]).toEqual([
        plain.fileModifiedAtOf(i),
        plain.fileShareAccess(i),
      ]);
    }
    expect(() => new Enterprise({ seed: 7, users: 12, files: 30, now: NOW, rootFiles: 1.5 })).toThrow(
      /rootFiles must be a share between 0 and 1/,
    );
  });
});

// Recorded from the generation as it was before it moved to generate-enterprise.ts (commit 981a8db).
const PINNED = {
  enterpriseId: '224543',
  folder5: [0, 3, 1761867165],
  file1234: [123, 1790947300, 'none'],
  collabFolder: 2,
  collabFolderCollabs: [['40000000007', 'umar.lindqvist@lawfirm.example', 'editor']],
  digest: 'e4f20d245bf9b2504107de322dd9c68cd97d741045ca2d7202abd691c9a14a08',
  emptyDigest: 'aad1e61e195bb47cafac9f5a99c8aebedc1d0c9072926ad4d2299ab88babf066',
};
