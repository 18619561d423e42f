import { css } from 'lit';

/**
 * What the page's run panels share (the family comparison, the row of values, the game, the latent
 * map): a bar of a primary button, a cancel and a status line, with the page's button, focus and
 * note looks. Each panel adds its own after these.
 */
export const panelStyles = css`
  :host { display: block; }
  .bar { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin-bottom: 0.6rem; }
  button, select { font: inherit; padding: 0.3rem 0.8rem; border: 1px solid #57606a; border-radius: 0.35rem; background: #fff; color: #1b1f24; }
  button.primary { background: #1d4f91; border-color: #1d4f91; color: #fff; }
  button:disabled { opacity: 0.55; }
  button:focus-visible, select:focus-visible, svg:focus-visible { outline: 3px solid #1d4f91; outline-offset: 2px; }
  .note { color: #424a53; }
  .error { color: #a40e26; }
`;
