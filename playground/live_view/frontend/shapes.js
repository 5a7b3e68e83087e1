// Marker shapes per class, so colour is never the only signal: class 0 a circle, 1 a square, 2 a triangle, then a
// cross, a star and an × (the same order as playground/palette.py's CLASS_SYMBOLS for the Plotly figures).
// Each shape is an SVG path: the canvas fills it through Path2D and the SVG download writes it as it is, so the
// screen and the exported picture draw the very same marker. Pure functions.

export const SHAPES = ["circle", "square", "triangle", "cross", "star", "x"];

const f = (v) => (Math.round(v * 100) / 100).toString();

function polygon(points) {
  return "M" + points.map(([x, y]) => f(x) + " " + f(y)).join("L") + "Z";
}

/** A cross (a plus sign) of half-length ``r`` and half-thickness ``w`` around (cx, cy), turned by ``angle``. */
function cross(cx, cy, r, w, angle) {
  const corners = [[w, r], [w, w], [r, w], [r, -w], [w, -w], [w, -r], [-w, -r], [-w, -w], [-r, -w], [-r, w],
    [-w, w], [-w, r]];
  const c = Math.cos(angle), s = Math.sin(angle);
  return polygon(corners.map(([x, y]) => [cx + x * c - y * s, cy + x * s + y * c]));
}

/**
 * The SVG path of class ``label``'s marker centred on (cx, cy), about as large as a circle of radius ``r``
 * (the shapes' areas are close, so no class looks more important).
 * @param {number} label class index (cycles through SHAPES)
 * @returns {string} an SVG path ``d``
 */
export function shapePath(label, cx, cy, r) {
  const shape = SHAPES[((Math.round(label) % SHAPES.length) + SHAPES.length) % SHAPES.length];
  if (shape === "circle") {
    return `M${f(cx - r)} ${f(cy)}a${f(r)} ${f(r)} 0 1 0 ${f(2 * r)} 0a${f(r)} ${f(r)} 0 1 0 ${f(-2 * r)} 0Z`;
  }
  if (shape === "square") {
    const h = r * 0.89;
    return polygon([[cx - h, cy - h], [cx + h, cy - h], [cx + h, cy + h], [cx - h, cy + h]]);
  }
  if (shape === "triangle") {
    const R = r * 1.35;  // circumradius: the triangle's area matches the circle's
    return polygon([0, 1, 2].map((k) => {
      const a = -Math.PI / 2 + (2 * Math.PI * k) / 3;
      return [cx + R * Math.cos(a), cy + R * Math.sin(a) + R * 0.2];
    }));
  }
  if (shape === "cross") return cross(cx, cy, r * 1.2, r * 0.42, 0);
  if (shape === "x") return cross(cx, cy, r * 1.25, r * 0.4, Math.PI / 4);
  const points = [];  // a five-pointed star
  for (let k = 0; k < 10; k++) {
    const a = -Math.PI / 2 + (Math.PI * k) / 5, R = k % 2 ? r * 0.6 : r * 1.45;
    points.push([cx + R * Math.cos(a), cy + R * Math.sin(a) + r * 0.1]);
  }
  return polygon(points);
}

/** The resampled (synthetic) points' hollow diamond, as on the Plotly figures. */
export function diamondPath(cx, cy, r) {
  return polygon([[cx, cy - r], [cx + r, cy], [cx, cy + r], [cx - r, cy]]);
}
