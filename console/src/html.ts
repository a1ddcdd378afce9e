/** Preact's `h` bound to htm: tagged-template views without a JSX build step. */
export { html } from 'htm/preact';
