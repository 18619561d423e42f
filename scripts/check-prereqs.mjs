// Fails fast, with the fix, when the tests cannot run: never skips them.
// The browser tests need Chromium; the training tests and the training-to-browser
// smoke test need Python 3 with PyTorch, NumPy and pytest.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { CHROMIUM_PATH } from './chromium.mjs';

const PYTHON = process.env.MEDSYNTH_PYTHON ?? '/usr/bin/python3';
const missing = [];

try {
  accessSync(CHROMIUM_PATH, constants.X_OK);
} catch {
  missing.push(
    `Chromium at ${CHROMIUM_PATH} (for the browser tests). On Debian or Ubuntu: sudo apt-get install -y chromium\n` +
      '  or point CHROMIUM_PATH at a Chromium or Chrome binary.',
  );
}

try {
  execFileSync(PYTHON, ['-c', 'import torch, numpy, pytest'], { stdio: 'ignore' });
} catch {
  missing.push(
    `Python with torch, numpy and pytest at ${PYTHON} (for the training tests).\n` +
      '  On Debian or Ubuntu: sudo apt-get install -y python3-torch python3-numpy python3-pytest\n' +
      '  or point MEDSYNTH_PYTHON at a Python that has them.',
  );
}

if (missing.length) {
  console.error(`\nThe tests need:\n- ${missing.join('\n- ')}\nInstall them, then run \`npm test\` again.\n`);
  process.exit(1);
}
