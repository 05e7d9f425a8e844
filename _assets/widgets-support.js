/* Support for the saved ipywidgets of the book (loaded on widget pages just before the
 * html-manager, see nb_ipywidgets_js in _config.yml).
 *
 * 1. MathJax 3. The html-manager typesets widget labels through the MathJax 2 API
 *    (`MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])`); the book loads MathJax 3, which
 *    has no `Hub`, so every label threw "Cannot read properties of undefined (reading 'Queue')".
 *    We give MathJax 3 that one method. Widgets render on the window `load` event, after
 *    DOMContentLoaded, by which time the deferred MathJax script has run.
 * 2. Accessibility. A slider's handle (role="slider") is not tied to the widget's description
 *    label, so screen readers announce it without a name: we copy the label text to the
 *    control's aria-label. The manager draws the pictures of Output widgets without alt text
 *    even when the saved output carries one: we take it from the saved widget state, where
 *    Python put it with `display(fig, metadata={"image/png": {"alt": "..."}})`.
 *    (A widget `tooltip` would be the obvious carrier, but html-manager 1.0.15 then fails to
 *    draw the widget at all.) Labels without a tooltip carry a literal title="null", shown as
 *    a tooltip reading "null": we remove it.
 */
(function () {
  "use strict";

  function queue(command) {
    var mathjax = window.MathJax;
    var element = command && command[2];
    if (!mathjax || !mathjax.startup || !mathjax.startup.promise) {
      return;
    }
    mathjax.startup.promise
      .then(function () {
        return mathjax.typesetPromise(element ? [element] : undefined);
      })
      .catch(function (error) {
        console.warn("MathJax could not typeset a widget label:", error);
      });
  }

  function installMathJaxAdapter() {
    var mathjax = window.MathJax;
    if (mathjax && mathjax.version && !mathjax.Hub) {
      mathjax.Hub = { Queue: queue };
    }
  }

  var CONTROLS = "[role='slider'], input, select, textarea, button, .widget-readout";

  // base64 image data of saved Output-widget pictures -> their alt text
  function savedAltTexts() {
    var texts = {};
    var selector = "script[type='application/vnd.jupyter.widget-state+json']";
    document.querySelectorAll(selector).forEach(function (script) {
      var state;
      try {
        state = JSON.parse(script.textContent).state || {};
      } catch (error) {
        return;
      }
      Object.keys(state).forEach(function (id) {
        var outputs = (state[id].state || {}).outputs || [];
        outputs.forEach(function (output) {
          var data = output.data || {};
          var metadata = output.metadata || {};
          Object.keys(data).forEach(function (mime) {
            var alt = metadata[mime] && metadata[mime].alt;
            if (mime.indexOf("image/") === 0 && typeof data[mime] === "string" && alt) {
              texts[data[mime].replace(/\s+/g, "")] = String(alt);
            }
          });
        });
      });
    });
    return texts;
  }

  var altTexts = null;

  function labelWidgets(root) {
    root.querySelectorAll(".jupyter-widgets [title='null']").forEach(function (node) {
      node.removeAttribute("title");
    });
    root.querySelectorAll(".widget-inline-hbox").forEach(function (box) {
      var label = box.querySelector(":scope > .widget-label");
      var name = label ? label.textContent.trim() : "";
      if (!name) {
        return;
      }
      box.querySelectorAll(CONTROLS).forEach(function (control) {
        if (!control.getAttribute("aria-label") && !control.getAttribute("aria-labelledby")) {
          control.setAttribute("aria-label", name);
        }
      });
    });
    var pictures = root.querySelectorAll(".widget-output img:not([alt])");
    if (pictures.length && altTexts === null) {
      altTexts = savedAltTexts();
    }
    pictures.forEach(function (img) {
      var source = img.getAttribute("src") || "";
      var alt = altTexts[source.slice(source.indexOf(",") + 1).replace(/\s+/g, "")];
      if (alt) {
        img.setAttribute("alt", alt);
      }
    });
  }

  function watchWidgets() {
    labelWidgets(document);
    var pending = false;
    new MutationObserver(function () {
      if (!pending) {
        pending = true;
        window.requestAnimationFrame(function () {
          pending = false;
          labelWidgets(document);
        });
      }
    }).observe(document.body, { childList: true, subtree: true, attributes: true,
                                attributeFilter: ["title"] });
  }

  installMathJaxAdapter();
  document.addEventListener("DOMContentLoaded", function () {
    installMathJaxAdapter();
    watchWidgets();
  });
})();
