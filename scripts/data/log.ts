/** Progress output: one rewritten line on a terminal, nothing in between on a log. */
const tty = process.stdout.isTTY === true;

export function progressLine(text: string): void {
  if (tty) process.stdout.write(`\r\x1b[2K${text}`);
}

export function log(text: string): void {
  process.stdout.write(`${tty ? '\r\x1b[2K' : ''}${text}\n`);
}
