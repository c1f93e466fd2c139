// The release upload reads every file the signed manifest names: each component's and each of
// its delta patches, so a release with patches publishes whole.
import { describe, expect, it } from 'vitest';
import { parseManifest } from './upload';
import { percentOf } from './ReleaseDetail';

const sha = (c: string) => c.repeat(64);

describe('parseManifest', () => {
  it('lists the delta patches after their component', () => {
    const m = parseManifest(JSON.stringify({
      signed: {
        version: '2.0.0',
        components: [
          { name: 'os', filename: 'os.img', sha256: sha('a'), length: 100,
            deltas: [{ from_version: '1.1.0', from_sha256: sha('b'), filename: 'os_1.1.0_to_2.0.0.pfdelta', sha256: sha('c'), length: 7 }] },
          { name: 'app', filename: 'app.apk', sha256: sha('d'), length: 5 },
        ],
      },
      signatures: [{ keyid: 'k', sig: 's' }],
    }));
    expect(m.components.map((c) => [c.name, c.filename, c.length, c.deltaFrom])).toEqual([
      ['os', 'os.img', 100, undefined],
      ['os', 'os_1.1.0_to_2.0.0.pfdelta', 7, '1.1.0'],
      ['app', 'app.apk', 5, undefined],
    ]);
  });

  it('lists the zchunk file after its component, marked as one', () => {
    const m = parseManifest(JSON.stringify({
      signed: {
        version: '2.0.0',
        components: [
          { name: 'firmware', filename: 'u.swu', sha256: sha('a'), length: 100,
            zchunk: { filename: 'rootfs.img.zck', sha256: sha('e'), length: 9 } },
        ],
      },
      signatures: [{ keyid: 'k', sig: 's' }],
    }));
    expect(m.components.map((c) => [c.filename, c.length, c.zchunk])).toEqual([
      ['u.swu', 100, undefined],
      ['rootfs.img.zck', 9, true],
    ]);
  });

  it('refuses a patch without a hash', () => {
    expect(() => parseManifest(JSON.stringify({
      signed: { version: '2.0.0', components: [{ name: 'os', filename: 'os.img', sha256: sha('a'), length: 1,
        deltas: [{ from_version: '1.0.0', filename: 'p', length: 1 }] }] },
      signatures: [{}],
    }))).toThrow('manifestInvalid');
  });
});

describe('percentOf', () => {
  it('says <1 below one percent and rounds above', () => {
    expect(percentOf(155, 150000)).toBe('<1');
    expect(percentOf(15000, 150000)).toBe('10');
    expect(percentOf(0, 150000)).toBe('0');
    expect(percentOf(5, 0)).toBe('0');
  });
});
