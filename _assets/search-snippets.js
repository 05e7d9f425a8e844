/* Search result snippets that show the prose of a page (search page only; added by
 * softmax_course.tools.sphinx_ext).
 *
 * Sphinx cuts a result's snippet out of the text of the page's `[role="main"]` element. In this
 * theme that element also holds the header buttons and the page's table of contents, and the
 * formulas are still TeX (MathJax typesets them only in the browser), so the snippets read
 * "…pdf softmax 运算 目录…" or "\(\hat{\math…". Here the text is taken from the article alone,
 * without code cells, outputs, buttons and link marks; an inline formula becomes plain text
 * (\(\hat{\mathbf{y}}\) → ŷ, \(m\) → m) and a display formula "…".
 */
(function () {
  "use strict";

  var SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", eta: "η",
    theta: "θ", lambda: "λ", mu: "μ", pi: "π", sigma: "σ", tau: "τ", phi: "φ", omega: "ω",
    Delta: "Δ", Sigma: "Σ", sum: "Σ", prod: "Π", times: "×", cdot: "·", cdots: "…", ldots: "…",
    dots: "…", approx: "≈", le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠", in: "∈",
    to: "→", rightarrow: "→", infty: "∞", partial: "∂", nabla: "∇", log: "log", exp: "exp",
    ln: "ln", max: "max", min: "min", top: "ᵀ", mid: "|", quad: " ", qquad: " ", ",": " ",
    ";": " ", "!": "", "{": "{", "}": "}", "%": "%", "_": "_",
  };

  /** A TeX formula as plain text: symbols kept, layout commands and braces dropped. */
  function plainMath(tex) {
    var text = tex.replace(/^\\\(|\\\)$|^\\\[|\\\]$|^\$\$?|\$\$?$/g, "");
    text = text.replace(/\\hat\{([^{}]*)\}/g, "$1\u0302");
    text = text.replace(/\\(?:text|mathrm|operatorname\*?|mathbf|boldsymbol|mathcal|mathbb)\{([^{}]*)\}/g, "$1");
    text = text.replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, "($1)/($2)");
    text = text.replace(/\\([A-Za-z]+|[,;!{}%_])/g, function (_, name) {
      return Object.prototype.hasOwnProperty.call(SYMBOLS, name) ? SYMBOLS[name] : "";
    });
    text = text.replace(/\\left|\\right|[{}]/g, "").replace(/\s+/g, " ").trim();
    return text;
  }

  var DROP = [".headerlink", "script", "style", "nav", ".cell_input", ".cell_output",
              ".highlight", "pre", "button", ".toggle-hidden", ".admonition-title a.reference"];

  function articleText(htmlString, anchor) {
    var doc = new DOMParser().parseFromString(htmlString, "text/html");
    var root = doc.querySelector("article.bd-article") || doc.querySelector('[role="main"]');
    if (!root) {
      return "";
    }
    if (anchor) {
      var section = root.querySelector(anchor);
      if (section) {
        root = section;
      }
    }
    DROP.forEach(function (selector) {
      root.querySelectorAll(selector).forEach(function (node) { node.remove(); });
    });
    root.querySelectorAll("div.math").forEach(function (node) { node.replaceWith(" … "); });
    root.querySelectorAll("span.math").forEach(function (node) {
      node.replaceWith(plainMath(node.textContent));
    });
    return root.textContent.replace(/\s+/g, " ");
  }

  // searchtools.js declares `const Search` at the top level: a global binding, but not a
  // property of window.
  if (typeof Search !== "undefined") {
    Search.htmlToText = articleText;       // eslint-disable-line no-undef
  }
  window.coursePlainMath = plainMath;     // for the tests
})();
