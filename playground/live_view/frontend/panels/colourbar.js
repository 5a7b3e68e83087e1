// A vertical colour bar beside a canvas picture whose colours stand for values on a fixed range (the Regression
// lab's surface): the panel's lookup table from lo (bottom) to hi (top), with round ticks.
import { FONT, niceTicks } from "./common.js";

export const COLOUR_BAR_SPACE = 58;  // CSS pixels right of the plot: a gap, the bar and its tick labels
const GAP = 10, WIDTH = 12;

/**
 * Draw the bar for ``lut`` (256 × 3) on [lo, hi] at the right of a plot whose right edge is ``right``.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Uint8ClampedArray} lut
 * @param {number} lo
 * @param {number} hi
 * @param {number} right the plot's right edge
 * @param {number} top
 * @param {number} height
 * @param {number} font axis text size
 */
export function drawColourBar(ctx, lut, lo, hi, right, top, height, font) {
  const x = right + GAP, rows = Math.max(1, Math.round(height));
  for (let i = 0; i < rows; i++) {
    const idx = Math.round((1 - i / Math.max(rows - 1, 1)) * 255) * 3;
    ctx.fillStyle = `rgb(${lut[idx]},${lut[idx + 1]},${lut[idx + 2]})`;
    ctx.fillRect(x, top + (i * height) / rows, WIDTH, height / rows + 0.5);
  }
  ctx.strokeStyle = "#d0d3da"; ctx.lineWidth = 1;
  ctx.strokeRect(x - 0.5, top - 0.5, WIDTH + 1, height + 1);
  ctx.font = `${font - 1}px ${FONT}`; ctx.fillStyle = "#6b6f7b";
  ctx.textAlign = "left"; ctx.textBaseline = "middle";
  for (const v of niceTicks(lo, hi, 5)) {
    const y = top + height - ((v - lo) / (hi - lo)) * height;
    ctx.fillRect(x + WIDTH, y - 0.5, 3, 1);
    ctx.fillText(String(v), x + WIDTH + 5, y);
  }
}
