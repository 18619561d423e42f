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

/** What the training views share (hospitals, the feedback loop): a form of settings, charts per round, tables, rows of samples. */
export const trainingStyles = css`
  form { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: 0.4rem 1rem; margin: 0.5rem 0 0.8rem; }
  label { display: flex; flex-direction: column; font-size: 0.92em; }
  input[type='number'], select { font: inherit; padding: 0.2rem 0.4rem; }
  h4 { margin: 0.3rem 0 0; font-size: 0.95em; }
  .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr)); gap: 0.5rem 1rem; }
  figure.chart { margin: 0; }
  figcaption { font-size: 0.85em; display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; }
  .key { display: inline-flex; align-items: center; gap: 0.3rem; }
  .swatch { display: inline-block; width: 1.4rem; height: 0; }
  table { border-collapse: collapse; font-size: 0.88em; margin: 0.3rem 0; }
  caption { text-align: left; font-weight: 600; }
  th, td { padding: 0.15rem 0.5rem; text-align: right; border-bottom: 1px solid #d0d7de; }
  th[scope='row'], thead th:first-child { text-align: left; }
  .samples { display: grid; gap: 0.4rem; }
  .samples .row { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; }
`;
