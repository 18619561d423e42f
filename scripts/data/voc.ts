/**
 * Pascal VOC box annotations (the XML that BCCD ships), read with a small
 * tolerant parser: the files are machine-written, flat and regular.
 */

export interface VocBox {
  name: string;
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

export interface VocAnnotation {
  filename: string;
  width: number;
  height: number;
  objects: VocBox[];
}

export function parseVoc(xml: string, source = 'annotation'): VocAnnotation {
  const tag = (text: string, name: string): string | null =>
    new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`).exec(text)?.[1] ?? null;
  const number = (text: string, name: string): number => {
    const value = Number(tag(text, name));
    if (tag(text, name) === null || !Number.isFinite(value)) {
      throw new Error(`${source}: <${name}> is missing or not a number`);
    }
    return value;
  };
  const size = /<size>([\s\S]*?)<\/size>/.exec(xml)?.[1];
  if (!size) throw new Error(`${source}: no <size> element; is this a Pascal VOC annotation?`);
  const objects = [...xml.matchAll(/<object>([\s\S]*?)<\/object>/g)].map(([, body]) => {
    const box = /<bndbox>([\s\S]*?)<\/bndbox>/.exec(body!)?.[1];
    if (!box) throw new Error(`${source}: an <object> has no <bndbox>`);
    return {
      name: (tag(body!, 'name') ?? '').trim(),
      xmin: number(box, 'xmin'),
      ymin: number(box, 'ymin'),
      xmax: number(box, 'xmax'),
      ymax: number(box, 'ymax'),
    };
  });
  return { filename: tag(xml, 'filename') ?? '', width: number(size, 'width'), height: number(size, 'height'), objects };
}
