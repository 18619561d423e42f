import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cropPatch, squareAround } from '../../../scripts/data/patch.js';
import { parseVoc } from '../../../scripts/data/voc.js';
import { DATA_DIR, mirrorHas, readMirrorText } from './mirror.js';

const XML = `<annotation>
  <filename>BloodImage_00042.jpg</filename>
  <size><width>640</width><height>480</height><depth>3</depth></size>
  <object><name>WBC</name><bndbox><xmin>260</xmin><ymin>177</ymin><xmax>491</xmax><ymax>376</ymax></bndbox></object>
  <object><name> Platelets </name><bndbox><xmin>5</xmin><ymin>6</ymin><xmax>35</xmax><ymax>30</ymax></bndbox></object>
</annotation>`;

describe('Pascal VOC annotations', () => {
  it('reads the image size and every box', () => {
    expect(parseVoc(XML)).toEqual({
      filename: 'BloodImage_00042.jpg',
      width: 640,
      height: 480,
      objects: [
        { name: 'WBC', xmin: 260, ymin: 177, xmax: 491, ymax: 376 },
        { name: 'Platelets', xmin: 5, ymin: 6, xmax: 35, ymax: 30 },
      ],
    });
  });

  it('names the file and the element when something is missing', () => {
    expect(() => parseVoc('<annotation></annotation>', 'x.xml')).toThrow('x.xml: no <size> element');
    expect(() => parseVoc(XML.replace('<xmin>260</xmin>', '<xmin>abc</xmin>'), 'y.xml')).toThrow('y.xml: <xmin> is missing or not a number');
  });
});

describe('cell patches', () => {
  /** A grey image with one red square from (40,40) to (60,60). */
  const image = { width: 100, height: 80, data: new Uint8Array(100 * 80 * 4) };
  for (let y = 0; y < 80; y++) {
    for (let x = 0; x < 100; x++) {
      const red = x >= 40 && x < 60 && y >= 40 && y < 60;
      image.data.set(red ? [200, 10, 20, 255] : [100, 100, 100, 255], (y * 100 + x) * 4);
    }
  }

  it('centre the box in a square with a margin', () => {
    expect(squareAround({ xmin: 40, ymin: 40, xmax: 60, ymax: 50 }, 0.1)).toEqual({ cx: 50, cy: 45, side: 24 });
  });

  it('resample the box to the patch size, averaging at its border', () => {
    const patch = cropPatch(image, { xmin: 40, ymin: 40, xmax: 60, ymax: 60 }, 10, 0.25); // 30 px square
    const at = (x: number, y: number) => [...patch.subarray((y * 10 + x) * 3, (y * 10 + x) * 3 + 3)];
    expect(at(5, 5)).toEqual([200, 10, 20]);
    expect(at(0, 0)).toEqual([100, 100, 100]);
    // Output pixel 1 covers source columns 38 to 41: two grey, one red, so a blend.
    const [r] = at(1, 5);
    expect(r).toBeGreaterThan(100);
    expect(r).toBeLessThan(200);
  });

  it('never enlarge a small cell: the square grows to the patch size instead', () => {
    const patch = cropPatch(image, { xmin: 45, ymin: 45, xmax: 55, ymax: 55 }, 40, 0); // 10 px box, 40 px patch
    const red = (x: number, y: number) => patch[(y * 40 + x) * 3] === 200;
    expect(red(20, 20)).toBe(true);
    expect(red(9, 20)).toBe(false); // source column 39: grey, at native scale
    expect(red(10, 20)).toBe(true); // source column 40: red
  });

  it('repeat the edge pixels where the square leaves the image', () => {
    const patch = cropPatch(image, { xmin: -10, ymin: -10, xmax: 10, ymax: 10 }, 8, 0);
    expect(patch.every((value) => value === 100)).toBe(true);
  });
});

describe.skipIf(!mirrorHas('bccd/Annotations'))('the real BCCD annotations', () => {
  it('hold the published box counts: 4155 RBC, 372 WBC, 361 platelets', () => {
    const counts: Record<string, number> = {};
    for (const file of readdirSync(join(DATA_DIR!, 'bccd/Annotations'))) {
      for (const box of parseVoc(readMirrorText(`bccd/Annotations/${file}`), file).objects) {
        counts[box.name] = (counts[box.name] ?? 0) + 1;
      }
    }
    expect(counts).toEqual({ RBC: 4155, WBC: 372, Platelets: 361 });
  });
});
