// Copied by `make offline-js` next to the widget manager: load the Jupyter widgets HTML manager,
// and its fonts, from the book's own folder rather than a CDN.
(function () {
  var base = document.currentScript.src.replace(/[^\/]*$/, "");
  // The widget modules find their fonts next to their own AMD module URL: map all of them here.
  window.requirejs.config({ paths: {
    "@jupyter-widgets/html-manager/dist": base + "html-manager/dist",
    "@jupyter-widgets": base + "html-manager/dist"
  } });
  window.__jupyter_widgets_assets_path__ = base + "html-manager/dist/";
  // The manager typesets with MathJax 2's MathJax.Hub.Queue; the book serves MathJax 3, which
  // has no Hub. Give every MathJax object (the config one and MathJax 3's own) a Hub that
  // forwards to MathJax 3's typesetPromise.
  var hub = { Queue: function (job) {
    var element = job && job[2];
    if (window.MathJax && window.MathJax.typesetPromise) {
      window.MathJax.typesetPromise(element ? [element] : undefined).catch(function () {});
    }
  } };
  var current = window.MathJax;
  var withHub = function (value) {
    if (value && typeof value === "object" && !value.Hub) { value.Hub = hub; }
    return value;
  };
  Object.defineProperty(window, "MathJax", { configurable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); } });
  withHub(current);
})();
