/**
 * What every chart shares: axis text (the dim text colour, which keeps 4.5:1
 * contrast on a panel — the faint one does not), grid lines, the threshold
 * colour. SVG attributes take no CSS variables reliably, so the values are
 * the tokens of styles/base.css, written once here.
 */
export const AXIS_TICK = { fontSize: 10, fill: '#8b98a8' } as const;
export const GRID_STROKE = '#1a222c';
/** --danger: a storm's threshold line and shading */
export const DANGER = '#f06262';
