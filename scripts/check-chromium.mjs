// Fails fast, with the fix, when the browser tests cannot run. Never skips them.
import { accessSync, constants } from 'node:fs';

import { CHROMIUM_PATH } from './chromium.mjs';

try {
  accessSync(CHROMIUM_PATH, constants.X_OK);
} catch {
  console.error(
    `\nThe browser tests need Chromium at ${CHROMIUM_PATH}, and it is not there.\n` +
      'Install it from your distribution, for example on Debian or Ubuntu:\n' +
      '    sudo apt-get install -y chromium\n' +
      'or point CHROMIUM_PATH at a Chromium or Chrome binary, then run `npm test` again.\n',
  );
  process.exit(1);
}
