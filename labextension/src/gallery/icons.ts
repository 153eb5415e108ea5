/**
 * Icons of the example gallery, drawn with `jp-icon3` so they follow the theme.
 */
import { LabIcon } from '@jupyterlab/ui-components';

/** Four cards in a grid: the gallery. */
export const galleryIcon = new LabIcon({
  name: 'mlstudio:gallery',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <rect x="3" y="3" width="8" height="8" rx="1.5"/>
    <rect x="13" y="3" width="8" height="8" rx="1.5"/>
    <rect x="3" y="13" width="8" height="8" rx="1.5"/>
    <path d="M14.5 13h5a1.5 1.5 0 0 1 1.5 1.5v5a1.5 1.5 0 0 1-1.5 1.5h-5a1.5 1.5 0 0 1-1.5-1.5v-5a1.5 1.5 0 0 1 1.5-1.5Zm.5 2v4h4v-4Z"/>
  </g>
</svg>`
});

/** A tray with an arrow out of it: share a notebook as an example. */
export const shareIcon = new LabIcon({
  name: 'mlstudio:share-example',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="none" stroke="#616161" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
    <path d="M12 15V3.5M7.5 8 12 3.5 16.5 8"/>
    <path d="M4 13.5V19a1.5 1.5 0 0 0 1.5 1.5h13A1.5 1.5 0 0 0 20 19v-5.5"/>
  </g>
</svg>`
});
