// Pictures for slides: the network diagram and the output panel downloaded as PNG or SVG.
//
// The SVG is a real vector file: points (the same marker paths as the screen, shapes.js), axes, ticks, edges and
// node frames are SVG elements, text is text; only the pictures the browser computed (the output heatmap, each
// neuron's thumbnail) are embedded as PNG <image>s. The PNG is that SVG drawn onto a canvas PNG_SCALE times the
// panel's size, so text and markers are crisp at slide size. Every string written into the file (titles, input
// labels) is escaped. The file is saved through a link with ``download``: Streamlit's component iframe is sandboxed
// with ``allow-downloads``.
import { FONT, niceTicks } from "./panels/common.js";
import { axisFont, fitFrame, pointMarkers } from "./panels/field.js";
import { edgeColour, edgeWidth } from "./panels/network.js";

export const PNG_SCALE = 3;
const TITLE_BAND = 30;  // px above the picture for a one-line title
const TITLE_FONT = 14, TITLE_LINE = 18;
const KINDS = new Set(["field", "fit", "network"]);
const STYLE = `
  .panel-tools { justify-self: end; align-self: start; z-index: 2; display: flex; gap: 4px; padding: 5px 4px 0 0; }
  .panel-tools button { font: 11px ${FONT}; color: #3d4150; background: #fff; border: 1px solid #c4c8d0;
                        border-radius: 3px; padding: 1px 6px; cursor: pointer; line-height: 16px; }
  .panel-tools button:hover { background: #f0f2f6; }
  .panel-tools button:focus-visible { outline: 3px solid #1c64f2; outline-offset: 1px; }
  body.presenter .panel-tools button { font-size: 15px; line-height: 20px; }
  .panel.has-tools .panel-title { padding-right: 100px; }
  body.presenter .panel.has-tools .panel-title { padding-right: 130px; }`;

/** ``text`` without the characters XML 1.0 forbids (control characters, lone surrogates). */
function xmlCharacters(text) {
  return String(text).replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "");
}

/** Text safe inside an XML element or attribute: markup characters escaped, characters XML forbids dropped. */
export function escapeXml(text) {
  return xmlCharacters(text)
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

const n2 = (v) => (Math.round(v * 100) / 100).toString();

/**
 * ``title`` broken into lines no wider than ``width`` px at the title's font (words kept whole where they fit;
 * text without spaces, such as Chinese, breaks between characters), as the page wraps it on screen.
 */
export function titleLines(title, width) {
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = `${TITLE_FONT}px ${FONT}`;
  const lines = [];
  let line = "";
  for (const token of String(title).match(/\S+\s*|\s+/g) || []) {
    const pieces = ctx.measureText(token.trim()).width > width ? Array.from(token) : [token];
    for (const piece of pieces) {
      if (line && ctx.measureText((line + piece).trimEnd()).width > width) { lines.push(line.trimEnd()); line = ""; }
      line += line || piece.trim() ? piece : "";
    }
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}

/** A whole SVG file: white background, the title (wrapped) above the picture ``body`` of ``height`` px. */
function svgDocument(width, height, title, body) {
  const lines = titleLines(xmlCharacters(title), width - 20);
  const band = Math.max(TITLE_BAND, 12 + TITLE_LINE * lines.length);
  const heading = lines.map((line, i) => `<tspan x="10" y="${20 + i * TITLE_LINE}">${escapeXml(line)}</tspan>`);
  const svg = '<?xml version="1.0" encoding="UTF-8"?>\n'
    + `<svg xmlns="http://www.w3.org/2000/svg" width="${n2(width)}" height="${n2(height + band)}" `
    + `viewBox="0 0 ${n2(width)} ${n2(height + band)}" font-family="${escapeXml(FONT)}">\n`
    + `<title>${escapeXml(title)}</title>\n`
    + `<rect width="100%" height="100%" fill="#ffffff"/>\n`
    + `<text class="panel-title" font-size="${TITLE_FONT}" fill="#262730">${heading.join("")}</text>\n`
    + `<g transform="translate(0 ${band})">\n${body}</g>\n</svg>\n`;
  return { svg: svg, width: width, height: height + band };
}

function text(x, y, content, attrs) {
  return `<text x="${n2(x)}" y="${n2(y)}" ${attrs}>${escapeXml(content)}</text>\n`;
}

/** The output panel (2-D data) as SVG: heatmap image, frame, ticks, axis names and every data point. */
export function fieldSvg(panel) {
  const spec = panel.spec, r = panel.rect, width = panel.overlay.clientWidth || 400, font = axisFont();
  const [d0, d1] = spec.domain;
  const X = (v) => r.x + ((v - d0) / (d1 - d0)) * r.side, Y = (v) => r.y + r.side - ((v - d0) / (d1 - d0)) * r.side;
  let body = "";
  if (panel.small.width > 0) {
    body += `<image href="${panel.small.toDataURL("image/png")}" x="${n2(r.x)}" y="${n2(r.y)}" `
      + `width="${n2(r.side)}" height="${n2(r.side)}" preserveAspectRatio="none" opacity="0.8"/>\n`;
  }
  body += `<rect x="${n2(r.x - 0.5)}" y="${n2(r.y - 0.5)}" width="${n2(r.side + 1)}" height="${n2(r.side + 1)}" `
    + 'fill="none" stroke="#d0d3da"/>\n';
  const tick = `font-size="${font}" fill="#6b6f7b"`;
  for (const v of niceTicks(d0, d1, 5)) {
    body += text(X(v), r.y + r.side + 4 + font * 0.8, String(v), `${tick} text-anchor="middle"`);
    body += text(r.x - 5, Y(v) + font * 0.35, String(v), `${tick} text-anchor="end"`);
  }
  body += text(r.x + r.side / 2, r.y + r.side + 6 + font * 1.8, "x₁", `${tick} text-anchor="middle"`);
  body += `<text transform="translate(${n2(font)} ${n2(r.y + r.side / 2)}) rotate(-90)" ${tick} `
    + 'text-anchor="middle">x₂</text>\n';
  body += `<clipPath id="plot"><rect x="${n2(r.x)}" y="${n2(r.y)}" width="${n2(r.side)}" height="${n2(r.side)}"/>`
    + '</clipPath>\n<g clip-path="url(#plot)">\n';
  for (const m of pointMarkers(panel, X, Y)) {
    const cls = `point ${m.set}` + (m.label === null ? "" : ` class-${m.label}`);
    if (m.set === "train") {
      body += `<path class="${cls}" d="${m.d}" fill="${m.colour}" stroke="#ffffff" stroke-width="1.2"/>\n`;
    } else if (m.set === "test") {
      body += `<path class="${cls}" d="${m.d}" fill="none" stroke="#282828" stroke-opacity="0.5" stroke-width="3.4"/>`
        + `<path d="${m.d}" fill="none" stroke="${m.colour}" stroke-width="2"/>\n`;
    } else {
      body += `<path class="${cls}" d="${m.d}" fill="none" stroke="${m.colour}" stroke-width="2"/>\n`;
    }
  }
  body += "</g>\n";
  return svgDocument(width, spec.height, spec.title || "", body);
}

/** The fitted curve (1-D data) as SVG: grid lines, ticks, the points and the network's curve as a polyline. */
export function fitSvg(panel, view) {
  const spec = panel.spec, width = panel.canvas.clientWidth || 400;
  const { font, l, t, w, h, x0, x1, y0, y1, X, Y } = fitFrame(spec, width, spec.height);
  const tick = `font-size="${font}" fill="#6b6f7b"`;
  let body = "";
  for (const v of niceTicks(y0, y1, 5)) {
    body += `<line x1="${n2(l)}" y1="${n2(Y(v))}" x2="${n2(l + w)}" y2="${n2(Y(v))}" stroke="#e6e8ee"/>\n`;
    body += text(l - 6, Y(v) + font * 0.35, String(v), `${tick} text-anchor="end"`);
  }
  for (const v of niceTicks(x0, x1, 6)) {
    body += text(X(v), t + h + 4 + font * 0.8, String(v), `${tick} text-anchor="middle"`);
  }
  body += text(l + w / 2, t + h + 6 + font * 1.8, "x", `${tick} text-anchor="middle"`);
  body += `<clipPath id="plot"><rect x="${n2(l)}" y="${n2(t)}" width="${n2(w)}" height="${n2(h)}"/></clipPath>\n`
    + '<g clip-path="url(#plot)">\n';
  const train = spec.train_points || [], test = spec.test_points || [];
  for (let k = 0; k < train.length; k += 2) {
    body += `<circle class="point train" cx="${n2(X(train[k]))}" cy="${n2(Y(train[k + 1]))}" r="3.2" `
      + `fill="${escapeXml(spec.point_colour)}" stroke="#ffffff"/>\n`;
  }
  for (let k = 0; k < test.length; k += 2) {
    body += `<circle class="point test" cx="${n2(X(test[k]))}" cy="${n2(Y(test[k + 1]))}" r="3.4" fill="none" `
      + 'stroke="#333333" stroke-width="1.8"/>\n';
  }
  if (view.layers && view.grid) {
    const xs = view.grid.xs, ys = view.layers[view.layers.length - 1];
    const points = Array.from(xs, (x, i) => `${n2(X(x))},${n2(Y(ys[i]))}`).join(" ");
    body += `<polyline class="curve" points="${points}" fill="none" stroke="${escapeXml(spec.curve_colour)}" `
      + 'stroke-width="3" stroke-linejoin="round"/>\n';
  }
  body += "</g>\n";
  return svgDocument(width, spec.height, spec.title || "", body);
}

/** The network diagram as SVG: weighted edges as lines, each neuron's picture as an image, input labels. */
export function networkSvg(panel, view) {
  const spec = panel.spec, g = panel.geometry, net = view.net, width = panel.canvas.clientWidth || 400;
  let body = "";
  if (g && net) {
    let scale = 0;
    for (const W of net.weights) for (let k = 0; k < W.length; k++) scale = Math.max(scale, Math.abs(W[k]));
    body += '<g class="edges" stroke-opacity="0.7" stroke-linecap="butt">\n';
    for (let layer = 0; layer < g.sizes.length - 1; layer++) {
      const W = net.weights[layer];
      for (let j = 0; j < g.sizes[layer + 1]; j++) {
        for (let i = 0; i < g.sizes[layer]; i++) {
          const w = W[j * g.sizes[layer] + i];
          const [x0, y0] = g.positions[layer][i], [x1, y1] = g.positions[layer + 1][j];
          body += `<line x1="${n2(g.px(x0) + g.box / 2)}" y1="${n2(g.py(y0))}" x2="${n2(g.px(x1) - g.box / 2)}" `
            + `y2="${n2(g.py(y1))}" stroke="${edgeColour(spec, w)}" stroke-width="${n2(edgeWidth(w, scale))}">`
            + `<title>w = ${n2(w)}</title></line>\n`;
        }
      }
    }
    body += "</g>\n";
    let n = 0;
    for (let layer = 0; layer < g.sizes.length; layer++) {
      for (let j = 0; j < g.sizes[layer]; j++) {
        const [x, y] = g.positions[layer][j], left = g.px(x) - g.box / 2, top = g.py(y) - g.box / 2;
        const image = panel.images[n++];
        if (image) {
          body += `<image class="neuron" href="${image.toDataURL("image/png")}" x="${n2(left)}" y="${n2(top)}" `
            + `width="${n2(g.box)}" height="${n2(g.box)}" preserveAspectRatio="none"/>\n`;
        }
        body += `<rect class="node" x="${n2(left)}" y="${n2(top)}" width="${n2(g.box)}" height="${n2(g.box)}" `
          + 'fill="none" stroke="#d0d3da"/>\n';
      }
    }
    const size = Math.max(11, Math.round(g.box * 0.3));
    g.positions[0].forEach(([x, y], i) => {
      body += text(g.px(x) - g.box / 2 - 6, g.py(y) + size * 0.35, (spec.labels || [])[i] || "",
                   `class="input-label" font-size="${size}" fill="#262730" text-anchor="end"`);
    });
  }
  return svgDocument(width, spec.height, spec.title || "", body);
}

/** The picture of ``panel`` as SVG text with its size in CSS pixels. */
export function panelSvg(panel, view) {
  if (panel.kind === "network") return networkSvg(panel, view);
  return panel.kind === "fit" ? fitSvg(panel, view) : fieldSvg(panel);
}

/** Draw an SVG document onto a canvas ``scale`` times its size; resolves to a PNG blob. */
export async function svgToPng(picture, scale) {
  const url = URL.createObjectURL(new Blob([picture.svg], { type: "image/svg+xml" }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(picture.width * scale);
    canvas.height = Math.round(picture.height * scale);
    const ctx = canvas.getContext("2d");
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise((resolve, reject) => canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error("the PNG could not be encoded"))), "image/png"));
  } finally {
    URL.revokeObjectURL(url);
  }
}

function save(blob, filename) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  link.style.display = "none";
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

/** Download ``panel``'s picture as "png" or "svg", named after the panel and the epoch shown. */
export async function downloadPanel(panel, view, format) {
  const picture = panelSvg(panel, view);
  const epoch = document.getElementById("root").dataset.epoch || "0";
  const name = `${panel.spec.name}-epoch-${epoch}.${format}`;
  const blob = format === "svg" ? new Blob([picture.svg], { type: "image/svg+xml" })
    : await svgToPng(picture, PNG_SCALE);
  save(blob, name);
}

function fill(format, title) {
  return (format || "").replace("{title}", title || "");
}

/**
 * Small PNG and SVG buttons at the top right of the network and output panels. They sit in the panel's grid
 * area beside it, not inside it: a panel is an image for screen readers (a11y.js), and an image's content is not
 * reachable. ``strings`` are the scene's (live.view_strings: download_png, download_svg).
 */
export function addDownloadButtons(panelsEl, panels, view, strings) {
  if (!document.getElementById("download-style")) {
    const style = document.createElement("style");
    style.id = "download-style";
    style.textContent = STYLE;
    document.head.appendChild(style);
  }
  for (const panel of Object.values(panels)) {
    if (!KINDS.has(panel.kind)) continue;
    const tools = document.createElement("div");
    tools.className = "panel-tools";
    tools.dataset.panel = panel.spec.name;
    tools.style.gridArea = panel.div.style.gridArea;
    for (const format of ["png", "svg"]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "download-" + format;
      button.textContent = format.toUpperCase();
      const label = fill(strings["download_" + format], panel.spec.title) || format.toUpperCase();
      button.setAttribute("aria-label", label);
      button.title = label;
      button.addEventListener("click", () => {
        downloadPanel(panel, panel.view || view, format).catch((err) => console.error("live view: download failed", err));
      });
      tools.appendChild(button);
    }
    panel.div.after(tools);
    panel.div.classList.add("has-tools");  // the title wraps before the buttons instead of running under them
  }
}
