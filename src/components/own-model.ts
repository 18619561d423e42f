import { LitElement, css, html, nothing } from 'lit';
import type { PickedFile } from '../models/local-folder.js';
import { panelStyles } from './panel-styles.js';

/** Asks to load a model folder from the person's disk (its files, with their paths inside what was chosen). */
export class OwnModelEvent extends Event {
  constructor(readonly files: PickedFile[]) {
    super('msl-own-model', { bubbles: true, composed: true });
  }
}

/**
 * Loading a model folder made with training/ from the person's disk: a folder picker, a file
 * picker (for browsers without folder choice) and a drop zone. What happens to the files, and the
 * verdict, is the page's (src/models/local-folder.ts); this shows the status it is given.
 *
 * @attr status - idle, checking, done or error
 * @attr message - what happened last: the model loaded and its parity, or what was wrong
 * @fires msl-own-model
 */
export class OwnModel extends LitElement {
  static override properties = {
    status: {},
    message: {},
    over: { state: true },
  };

  declare status: string;
  declare message: string;
  declare over: boolean;

  constructor() {
    super();
    this.status = 'idle';
    this.message = '';
    this.over = false;
  }

  static override styles = [panelStyles, css`
    .drop { border: 2px dashed #8c959f; border-radius: 0.5rem; padding: 1rem; text-align: center; color: #424a53; }
    .drop.over { border-color: #1d4f91; background: #eef4fb; }
    label.file { display: inline-block; margin: 0.2rem 0.8rem 0.2rem 0; }
    code { font-size: 0.95em; }
  `];

  override render() {
    const busy = this.status === 'checking';
    return html`
      <p>Load a model you trained with <code>training/</code>: the folder <code>npm run export-model</code> writes
        (<code>card.json</code>, <code>weights.json</code>, <code>weights.bin</code>, <code>parity.json</code>). It is checked as the
        site's own models are (the card, every file's SHA-256) and PyTorch's parity vectors are run on this device before it
        is offered; then it goes wherever a shipped model goes. Its files stay in this tab: nothing is uploaded, and a reload
        forgets them.</p>
      <div class="drop ${this.over ? 'over' : ''}" data-testid="own-model-drop"
        @dragover=${this.onDragOver} @dragleave=${() => { this.over = false; }} @drop=${this.onDrop}>
        <label class="file">Choose a folder <input type="file" webkitdirectory data-testid="own-model-folder" ?disabled=${busy}
          @change=${this.onPick} /></label>
        <label class="file">or its files <input type="file" multiple accept=".json,.bin" data-testid="own-model-files" ?disabled=${busy}
          @change=${this.onPick} /></label>
        <div>or drop the folder here</div>
      </div>
      ${this.message
        ? html`<p class=${this.status === 'error' ? 'error' : 'note'} role=${this.status === 'error' ? 'alert' : 'status'}
            data-testid="own-model-status">${this.message}</p>`
        : nothing}`;
  }

  private onPick = (e: Event): void => {
    const input = e.target as HTMLInputElement;
    const files = [...(input.files ?? [])].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
    input.value = ''; // choosing the same folder again reloads it
    this.dispatchEvent(new OwnModelEvent(files));
  };

  private onDragOver = (e: DragEvent): void => {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    this.over = true;
  };

  private onDrop = async (e: DragEvent): Promise<void> => {
    e.preventDefault();
    this.over = false;
    if (!e.dataTransfer || this.status === 'checking') return;
    this.dispatchEvent(new OwnModelEvent(await droppedFiles(e.dataTransfer)));
  };
}

/** Every file dropped, folders walked, with its path inside what was dropped. */
export async function droppedFiles(data: DataTransfer): Promise<PickedFile[]> {
  const entries = [...data.items].map((item) => item.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (!entries.length) return [...data.files].map((file) => ({ path: file.name, file }));
  const files: PickedFile[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      files.push({ path: `${prefix}${entry.name}`, file });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries answers in batches until an empty one
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const entry of entries) await walk(entry, '');
  return files;
}

customElements.define('msl-own-model', OwnModel);

declare global {
  interface HTMLElementTagNameMap {
    'msl-own-model': OwnModel;
  }
  interface HTMLElementEventMap {
    'msl-own-model': OwnModelEvent;
  }
}
