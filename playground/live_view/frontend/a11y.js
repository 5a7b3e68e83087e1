// What a screen reader hears from the live view.
//
// The visible counters change up to 60 times a second: announcing each change would drown the reader. Instead a
// visually hidden aria-live="polite" element holds a summary of the counters, refreshed at most every
// ANNOUNCE_MS while playing and at once when the picture stops. Every chart is an image whose accessible name is
// its title plus the same summary. The scene brings the strings (``scene.strings``): the document's lang and
// <title>, and how a chart's name is put together.

export const ANNOUNCE_MS = 5000;

let strings = {};
let announcer = null;
let lastAnnounced = -Infinity;
let wasRunning = false;

/** "Epoch 120, Test accuracy 97 %, Paused": the counters as they are drawn now, in the scene's language. */
export function counterSummary(countersEl) {
  const parts = [];
  for (const el of countersEl.querySelectorAll(".counter")) {
    const label = el.querySelector(".label").textContent.trim();
    const value = el.querySelector(".value").textContent.trim();
    if (label || value) parts.push(label ? label + " " + value : value);
  }
  const status = countersEl.querySelector("#status");
  if (status && status.textContent.trim()) parts.push(status.textContent.trim());
  return parts.join(strings.separator || ", ");
}

/** A chart's accessible name: "{title}: {summary}" in the scene's language. */
export function chartName(title, summary) {
  const format = strings.chart || "{title}: {summary}";
  return format.replace("{title}", title || "").replace("{summary}", summary);
}

/** A new scene: the document's language and title, and every panel becomes a named image. */
export function sceneBuilt(scene, panelsEl, countersEl) {
  strings = scene.strings || strings;
  if (strings.lang) document.documentElement.lang = strings.lang;
  if (strings.title) document.title = strings.title;
  announcer = document.getElementById("announce");
  if (announcer && strings.summary_label) announcer.setAttribute("aria-label", strings.summary_label);
  for (const div of panelsEl.querySelectorAll(".panel")) {
    div.setAttribute("role", "img");
    // Plotly's own SVG and focusable mode bar are not what a listener needs: the name says what the chart shows.
    for (const inner of div.querySelectorAll("canvas, svg")) inner.setAttribute("aria-hidden", "true");
  }
  refresh(countersEl, panelsEl);
}

/** Called on every tick: the summary and the charts' names follow the counters, throttled while running. */
export function tickA11y(now, running, countersEl, panelsEl) {
  const stopped = wasRunning && !running;
  wasRunning = running;
  if (!stopped && now - lastAnnounced < ANNOUNCE_MS) return;
  lastAnnounced = now;
  refresh(countersEl, panelsEl);
}

function refresh(countersEl, panelsEl) {
  const summary = counterSummary(countersEl);
  if (announcer && announcer.textContent !== summary) announcer.textContent = summary;
  for (const div of panelsEl.querySelectorAll(".panel")) {
    const titleEl = div.querySelector(".panel-title, .gtitle");
    const title = (titleEl && titleEl.textContent) || div.dataset.title || "";
    const name = chartName(title, summary);
    if (div.getAttribute("aria-label") !== name) div.setAttribute("aria-label", name);
    for (const inner of div.querySelectorAll("canvas, svg")) inner.setAttribute("aria-hidden", "true");
  }
}
