import type { LitElement } from 'lit';

/** Puts an element on the page, sets its properties and waits for it to render. */
export async function mount<T extends LitElement>(tag: string, props: Partial<T> = {}): Promise<T> {
  const el = document.createElement(tag) as T;
  Object.assign(el, props);
  document.body.append(el);
  await el.updateComplete;
  return el;
}

/** Every element matching `selector` in `root` and the shadow roots below it. */
export function deepAll<E extends Element = Element>(root: ParentNode, selector: string): E[] {
  const found: E[] = [...root.querySelectorAll<E>(selector)];
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot) found.push(...deepAll<E>(el.shadowRoot, selector));
  return found;
}

/** Waits for every Lit element under `root` to finish rendering. */
export async function settle(root: ParentNode): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const pending = deepAll(root, '*').filter((el): el is LitElement => 'updateComplete' in el);
    await Promise.all(pending.map((el) => el.updateComplete));
  }
}

/** The red channel of a canvas, one value per pixel. */
export function redChannel(canvas: HTMLCanvasElement): number[] {
  const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  return Array.from({ length: data.length / 4 }, (_, i) => data[4 * i]!);
}

/** The red, green and blue of every pixel of a canvas, pixel by pixel (channels-last, as a sample). */
export function rgbChannels(canvas: HTMLCanvasElement): number[] {
  const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  return Array.from({ length: (data.length / 4) * 3 }, (_, i) => data[4 * Math.floor(i / 3) + (i % 3)]!);
}

/** Resolves with the next event of `type` on `target`. */
export function nextEvent<E extends Event>(target: EventTarget, type: string): Promise<E> {
  return new Promise((resolve) => target.addEventListener(type, (e) => resolve(e as E), { once: true }));
}
