import { FileHeat, HEAT_CARRIED } from '../../../workflows/file-heat';

describe('FileHeat', () => {
  const minute = 60_000;

  it('a file arriving with no event and no rescan in the window is fresh until a batch takes it', () => {
    const heat = new FileHeat(minute, () => false);
    heat.arrived(['a', 'b'], 0);
    expect(heat.isHot('a')).toBe(false);
    heat.taken(['a']);
    expect(heat.isHot('a')).toBe(true);
    expect(heat.isHot('b')).toBe(false);
  });

  it('a fresh file edited again while it waits turns hot: the first edits of a burst stop passing for fresh', () => {
    const heat = new FileHeat(minute, () => false);
    heat.arrived(['burst-1', 'burst-2'], 0);
    heat.arrived(['sample'], 500);
    heat.arrived(['burst-1', 'burst-2'], 6000); // the burst's second round, still unrescanned
    expect(heat.isHot('burst-1')).toBe(true);
    expect(heat.isHot('burst-2')).toBe(true);
    expect(heat.isHot('sample')).toBe(false);
  });

  it('a file with an event in the window is hot when it arrives again, rescanned or not', () => {
    const heat = new FileHeat(minute, () => false);
    heat.arrived(['burst'], 0);
    heat.taken(['burst']); // its batch ran; the rescan is not what makes it hot here
    heat.arrived(['burst'], 30_000);
    expect(heat.isHot('burst')).toBe(true);
    // Still edited every 30 s: hot however long it waits unrescanned (the rescan rule alone would call it fresh).
    for (let t = 60_000; t <= 300_000; t += 30_000) heat.arrived(['burst'], t);
    expect(heat.isHot('burst')).toBe(true);
  });

  it('a quiet file is fresh again once its last event is older than the window', () => {
    const heat = new FileHeat(minute, () => false);
    heat.arrived(['a'], 0);
    heat.taken(['a']);
    heat.arrived(['b'], minute + 1); // forgets a's event
    heat.arrived(['a'], minute + 2);
    expect(heat.isHot('a')).toBe(false);
  });

  it('a file the lane rescanned in the window arrives hot', () => {
    const rescanned = new Set(['r']);
    const heat = new FileHeat(minute, (id) => rescanned.has(id));
    heat.arrived(['r', 'n'], 0);
    expect(heat.isHot('r')).toBe(true);
    expect(heat.isHot('n')).toBe(false);
  });

  it('carries across continue-as-new: a burst file stays hot and a waiting fresh file stays fresh', () => {
    const heat = new FileHeat(minute, () => false);
    heat.arrived(['burst'], 0);
    heat.taken(['burst']);
    heat.arrived(['sample'], 1000);
    const next = new FileHeat(minute, () => false, JSON.parse(JSON.stringify(heat.toJSON())));
    next.arrived(['burst'], 2000);
    expect(next.isHot('burst')).toBe(true);
    expect(next.isHot('sample')).toBe(false);
  });

  it('carries the last HEAT_CARRIED events at most', () => {
    const heat = new FileHeat(minute, () => false);
    heat.arrived(
      Array.from({ length: HEAT_CARRIED + 10 }, (_, i) => `f${i}`),
      0,
    );
    const state = heat.toJSON();
    expect(state.heard).toHaveLength(HEAT_CARRIED);
    expect(state.heard[0]![0]).toBe('f10');
  });
});
