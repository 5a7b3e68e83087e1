// Keyboard shortcuts of every live view: Space plays/pauses, → steps, R resets.
//
// A key becomes a click on the page's own Streamlit button (``options.transport`` names their CSS classes), so
// everything a press does is reused: the instant stop of the picture (main.js listens for the button's
// pointerdown) and the server's answer. Keys are heard in the parent page and inside the live view's iframe.

const KEYS = { " ": "play", "Spacebar": "play", "ArrowRight": "step", "r": "reset", "R": "reset" };

// Where a key already means something: typing, sliders, selects, radio groups, tabs, menus.
const TYPING = 'input, textarea, select, [contenteditable=""], [contenteditable="true"], [role="textbox"], '
  + '[role="slider"], [role="combobox"], [role="listbox"], [role="option"], [role="spinbutton"], '
  + '[role="radio"], [role="radiogroup"], [role="tab"], [role="menu"], [role="menuitem"], [data-baseweb="select"]';
// Space already presses a focused button, link or switch: the shortcut must not press Play as well.
const PRESSABLE = 'button, a[href], summary, [role="button"], [role="link"], [role="checkbox"], [role="switch"]';

/** Which transport button a key event asks for, or null when the key belongs to where focus is. */
export function transportFor(evt) {
  if (evt.defaultPrevented || evt.ctrlKey || evt.metaKey || evt.altKey || evt.isComposing) return null;
  const name = KEYS[evt.key];
  if (!name) return null;
  const target = evt.target && evt.target.closest ? evt.target : null;
  if (target && target.closest(TYPING)) return null;
  if (name === "play" && target && target.closest(PRESSABLE)) return null;
  return name;
}

/** The page's button for ``name`` (a Streamlit button inside the element whose class the transport gives). */
function findButton(doc, transport, name) {
  const cls = transport && transport[name];
  if (!doc || !cls) return null;
  const button = doc.querySelector("." + cls + " button");
  return button && !button.disabled ? button : null;
}

/** Press a page button as a pointer would: pointerdown first (main.js stops the picture on it), then click. */
function press(button) {
  const win = button.ownerDocument.defaultView;
  const Pointer = (win && win.PointerEvent) || window.PointerEvent;
  button.dispatchEvent(new Pointer("pointerdown", { bubbles: true, cancelable: true, composed: true }));
  button.click();
}

/**
 * Listen for the shortcuts in this iframe's document and in the parent page.
 *
 * ``transport()`` returns the current ``{play, step, reset}`` classes (they arrive with each render). Returns a
 * function to call on every render: it attaches to the parent page once it is reachable.
 */
export function installKeys(transport) {
  let parentDoc = null;
  function onKey(evt) {
    // A live view whose iframe was removed (another page, a rebuilt component) must not press anything.
    const frameEl = window.frameElement;
    if (!frameEl || !frameEl.isConnected) return;
    const name = transportFor(evt);
    if (!name) return;
    let doc = null;
    try { doc = window.parent.document; } catch (err) { return; }  // another origin: no page buttons to press
    const button = findButton(doc, transport(), name);
    if (!button) return;
    evt.preventDefault();  // Space would also scroll the page
    evt.stopPropagation();
    press(button);
  }
  document.addEventListener("keydown", onKey);
  return function attachParent() {
    let doc;
    try { doc = window.parent.document; } catch (err) { return; }
    if (!doc || doc === document || doc === parentDoc) return;
    parentDoc = doc;
    doc.addEventListener("keydown", onKey);
  };
}
