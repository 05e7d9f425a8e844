/* Reading aids of the course book (every page; html_js_files in _config.yml).
 *
 * 1. Sidebar buttons. sphinx-book-theme and pydata-sphinx-theme bind their handlers to the FIRST
 *    `.primary-toggle` / `.secondary-toggle` of the page, a button inside the top bar that this
 *    book hides (custom.css); the buttons a reader sees, in the article header, got no handler
 *    and did nothing. A click (mouse, Enter or Space) on any other toggle is passed on to the
 *    first one, so the theme opens the chapter list / page contents as a dialog below 992 px
 *    (closed with Escape or a click beside it) and shows or hides the sidebar above.
 * 2. Solutions. The title of a collapsed solution is "解答 练习 4.1 (…)" where "练习 4.1 (…)" is
 *    a link back to the exercise, the most visible part of the title: a click on it now opens or
 *    closes the solution like the rest of the title, instead of jumping away.
 * 3. Chinese names for the buttons that sphinx-togglebutton adds ("Toggle hidden content").
 * 4. Printed text with aligned columns (two or more lines with a run of two spaces between
 *    values) is marked `course-aligned`, so custom.css keeps its rows instead of wrapping them.
 * 5. Inline formulas wider than their line, once MathJax has drawn them, are marked
 *    `course-wide-math` (custom.css lets them scroll inside the line).
 */
(function () {
  "use strict";

  function forwardToggles(kind) {
    var toggles = document.querySelectorAll("." + kind);
    if (toggles.length < 2) {
      return;
    }
    var bound = toggles[0];
    Array.prototype.slice.call(toggles, 1).forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopImmediatePropagation();
        bound.click();
        var expanded = kind === "primary-toggle" && window.matchMedia("(min-width: 992px)").matches
          ? !document.querySelector("#pst-primary-sidebar").classList.contains("pst-sidebar-hidden")
          : true;
        button.setAttribute("aria-expanded", String(expanded));
      }, true);
    });
  }

  function solutionTitles() {
    document.querySelectorAll(".dropdown > .admonition-title a").forEach(function (link) {
      link.setAttribute("tabindex", "-1");      // the title's toggle button takes the focus
      link.addEventListener("click", function (event) {
        // no jump; sphinx-togglebutton only understands clicks on the title itself or on its
        // button, so the click is handed to the button
        event.preventDefault();
        event.stopPropagation();
        var button = link.closest(".admonition-title").querySelector(".toggle-button");
        if (button) {
          button.click();
        }
      });
    });
  }

  function labelToggleButtons() {
    document.querySelectorAll("button.toggle-button").forEach(function (button) {
      var box = button.closest(".admonition");
      var label = box && box.classList.contains("solution") ? "显示或隐藏解答" : "显示或隐藏内容";
      button.setAttribute("aria-label", label);
    });
  }

  function markAlignedOutputs() {
    document.querySelectorAll(".cell_output .output.stream pre").forEach(function (pre) {
      var aligned = pre.textContent.split("\n").filter(function (line) {
        return /\S {2,}\S/.test(line);
      });
      if (aligned.length >= 2) {
        pre.classList.add("course-aligned");
      }
    });
  }

  function markWideMath() {
    document.querySelectorAll(".bd-article mjx-container:not([display='true'])")
      .forEach(function (math) {
        var box = math.closest("p, li, td, th, dd, dt, div");
        if (box && math.getBoundingClientRect().width > box.getBoundingClientRect().width + 1) {
          math.classList.add("course-wide-math");
        }
      });
  }

  function afterMathJax() {
    var mathjax = window.MathJax;
    if (mathjax && mathjax.startup && mathjax.startup.promise) {
      mathjax.startup.promise.then(markWideMath);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    markAlignedOutputs();
    forwardToggles("primary-toggle");
    forwardToggles("secondary-toggle");
    solutionTitles();
    // sphinx-togglebutton adds its buttons in its own DOMContentLoaded handler
    window.setTimeout(labelToggleButtons, 0);
  });
  window.addEventListener("load", afterMathJax);
  window.addEventListener("resize", function () { window.requestAnimationFrame(markWideMath); });
})();
