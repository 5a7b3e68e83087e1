// Helpers shared by the canvas panels.

/** A titled canvas panel (network, curves, layer view, field). */
export function titledCanvas(div, spec) {
  div.style.position = "relative";
  const title = document.createElement("div");
  title.className = "panel-title";
  title.textContent = spec.title || "";
  div.appendChild(title);
  const canvas = document.createElement("canvas");
  canvas.style.width = "100%";
  canvas.style.height = spec.height + "px";
  canvas.style.display = "block";
  div.appendChild(canvas);
  return canvas;
}

/** Size the backing store for the device pixel ratio; returns a cleared context in CSS pixels and the size. */
export function canvasContext(canvas, height) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 400;
  if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
  if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx: ctx, width: width, height: height };
}

export const FONT = "Inter, Helvetica, Arial, sans-serif";

/** Round tick values covering [lo, hi], about ``count`` of them. */
export function niceTicks(lo, hi, count) {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) || 10 * mag;
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}
