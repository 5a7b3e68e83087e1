// Streamlit's components v1 protocol, spoken directly with postMessage (no npm package, no build step).

function send(type, extra) {
  window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, extra), "*");
}

/** Report a value to the server (it reruns the page's fragment). @param {import("./messages.js").Report} value */
export function setValue(value) { send("streamlit:setComponentValue", { value: value, dataType: "json" }); }

export function setHeight() { send("streamlit:setFrameHeight", { height: document.body.scrollHeight + 4 }); }

/**
 * The render arguments inside Streamlit's ``args``: the server sends them as one JSON string, ``payload``.
 * @param {{payload?: string}} args @returns {import("./messages.js").RenderArgs | {}}
 */
export function renderArgs(args) {
  return args && typeof args.payload === "string" ? JSON.parse(args.payload) : {};
}

/** Call ``onRender(args)`` for every render event; announce that the component is ready. */
export function listen(onRender) {
  window.addEventListener("message", (event) => {
    const msg = event.data;
    if (!msg || msg.type !== "streamlit:render") return;
    try {
      onRender(renderArgs(msg.args));
    } catch (err) {
      console.error("live view:", err);
    }
  });
  send("streamlit:componentReady", { apiVersion: 1 });
}
