/**
 * ML Studio's icon: three connected nodes (a tiny network), drawn with the
 * `jp-icon3` class so it takes the theme's icon colour.
 */
import { LabIcon } from '@jupyterlab/ui-components';

const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" stroke="#616161" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" style="fill: none">
    <path d="M5.5 18 11 6.5 18.5 13.5 5.5 18"/>
  </g>
  <g class="jp-icon3" fill="#616161">
    <circle cx="5.5" cy="18" r="3"/>
    <circle cx="11" cy="6.5" r="3"/>
    <circle cx="18.5" cy="13.5" r="3"/>
  </g>
</svg>`;

/** The `mlstudio:logo` icon used for the sidebar tab and the command. */
export const mlstudioIcon = new LabIcon({
  name: 'mlstudio:logo',
  svgstr: LOGO_SVG
});
