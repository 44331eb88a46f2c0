/** Unit: Range header parsing of the download host. */
import { byteRange } from '../../../box-sim/api-routes';

describe('byteRange', () => {
  test('reads bounded, open-ended and suffix ranges', () => {
    expect(byteRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(byteRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(byteRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(byteRange('bytes=95-200', 100)).toEqual({ start: 95, end: 99 });
  });

  test('no header or an unparsable one means the whole file; past the end is unsatisfiable', () => {
    expect(byteRange(undefined, 100)).toBeUndefined();
    expect(byteRange('items=0-1', 100)).toBeUndefined();
    expect(byteRange('bytes=100-', 100)).toBe('unsatisfiable');
  });
});
