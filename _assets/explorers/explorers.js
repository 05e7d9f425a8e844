/* The course's explorers in the static book: no kernel, no third-party code.
 *
 * Each explorer cell of a chapter emits (softmax_course.widgets.explorer) a
 *   <div class="course-explorer" data-kind="..." data-config="JSON"><img ...></div>
 * holding a picture of its initial state. This script replaces the picture with native,
 * labelled controls (<input type=range>, number boxes, radio buttons) and an SVG chart, and
 * recomputes in the browser what the package computes in Python (softmax with the max shift,
 * log-sum-exp, cross-entropy and its gradient, entropy / cross-entropy / KL in nats or bits,
 * linear decision regions); tests/test_explorers_browser.py checks the numbers it shows
 * against the package. The training explorer only looks up curves computed by the package.
 * Colours come from the theme's CSS variables, so dark mode works.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = ["#4C72B0", "#DD8452", "#55A868"];
  var GREY = "#8C8C8C";
  var uid = 0;

  // ---------------------------------------------------------------- math (as the package)
  function sum(a) { return a.reduce(function (s, v) { return s + v; }, 0); }
  function max(a) { return Math.max.apply(null, a); }
  function softmax(o) {                       // core.softmax: exp(o - max) / sum
    var m = max(o);
    var e = o.map(function (v) { return Math.exp(v - m); });
    var s = sum(e);
    return e.map(function (v) { return v / s; });
  }
  function softmaxT(o, t) { return softmax(o.map(function (v) { return v / t; })); }
  function naiveSoftmax(o, t) {               // widgets.softmax.naive_softmax (NaN on overflow)
    var e = o.map(function (v) { return Math.exp(v / t); });
    var s = sum(e);
    return e.map(function (v) { return v / s; });
  }
  function logsumexp(o) {
    var m = max(o);
    return m + Math.log(sum(o.map(function (v) { return Math.exp(v - m); })));
  }
  function normalise(w) {
    var s = sum(w);
    return s > 0 ? w.map(function (v) { return v / s; }) : null;
  }
  var LN2 = Math.log(2);
  function info(p, q, unit) {                 // widgets.info.info_quantities
    var f = unit === "bit" ? 1 / LN2 : 1;
    var h = 0, ce = 0, kl = 0;
    for (var j = 0; j < p.length; j++) {
      if (p[j] > 0) {
        h -= p[j] * Math.log(p[j]);
        ce += q[j] > 0 ? -p[j] * Math.log(q[j]) : Infinity;
        kl += q[j] > 0 ? p[j] * (Math.log(p[j]) - Math.log(q[j])) : Infinity;
      }
    }
    return { H: h * f, CE: ce * f, KL: kl * f };
  }
  function argmax(a) {
    var k = 0;
    for (var j = 1; j < a.length; j++) { if (a[j] > a[k]) { k = j; } }
    return k;
  }

  // ------------------------------------------------------------------------- formatting
  function fixed(v, d) { return isNaN(v) ? "NaN" : v.toFixed(d); }
  function infinite(v, d) { return isFinite(v) ? v.toFixed(d) : "∞"; }
  function signed(v, d) { return (v >= 0 ? "+" : "") + v.toFixed(d); }
  function num(v) { return String(v); }      // Python's f"{v:g}" for the grid values

  // ----------------------------------------------------------------------------- DOM
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return el;
  }
  function s(tag, attrs, text) {
    var el = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined) { el.textContent = text; }
    return el;
  }
  function out(key, text) { return h("span", { "data-out": key }, [text || ""]); }
  function setOut(root, key, text) {
    root.querySelectorAll('[data-out="' + key + '"]').forEach(function (el) {
      el.textContent = text;
    });
  }

  /* A labelled native slider over `values` (the value shown is the value computed with). */
  function slider(label, values, index, format, onChange) {
    var id = "ce-" + (++uid);
    var input = h("input", { type: "range", id: id, min: 0, max: values.length - 1, step: 1,
                             value: index, "aria-label": label });
    var shown = h("output", { "for": id });
    function update() {
      var text = format(values[Number(input.value)]);
      shown.textContent = text;
      input.setAttribute("aria-valuetext", text);
    }
    input.addEventListener("input", function () { update(); onChange(); });
    update();
    return { root: h("div", { "class": "ce-control" },
                     [h("label", { "for": id }, [label]), input, shown]),
             value: function () { return values[Number(input.value)]; } };
  }
  function steps(lo, hi, step, digits) {
    var n = Math.round((hi - lo) / step), v = [];
    for (var i = 0; i <= n; i++) { v.push(Number((lo + i * step).toFixed(digits))); }
    return v;
  }
  function nearest(values, v) {
    var best = 0;
    values.forEach(function (x, i) {
      if (Math.abs(x - v) < Math.abs(values[best] - v)) { best = i; }
    });
    return best;
  }
  function numberBox(label, value, limit, onChange) {
    var id = "ce-" + (++uid);
    var input = h("input", { type: "number", id: id, min: -limit, max: limit, step: "any",
                             value: value, "aria-label": label, inputmode: "decimal" });
    input.addEventListener("input", onChange);
    return { root: h("div", { "class": "ce-control" }, [h("label", { "for": id }, [label]), input]),
             value: function () {
               var v = Number(input.value);
               if (input.value.trim() === "" || !isFinite(v)) { return null; }
               return Math.max(-limit, Math.min(limit, v));
             } };
  }
  function radios(legend, options, value, onChange) {
    var name = "ce-" + (++uid);
    var inputs = [];
    var set = h("fieldset", { "class": "ce-radios" }, [h("legend", {}, [legend])]);
    options.forEach(function (opt) {
      var input = h("input", { type: "radio", name: name, value: String(opt.value) });
      input.checked = opt.value === value;
      input.addEventListener("change", onChange);
      inputs.push([input, opt.value]);
      set.appendChild(h("label", {}, [input, " " + opt.label]));
    });
    return { root: set, value: function () {
      for (var i = 0; i < inputs.length; i++) { if (inputs[i][0].checked) { return inputs[i][1]; } }
      return value;
    } };
  }

  // --------------------------------------------------------------------------- charts
  /* Bars in a panel at (x0, y0) of size w × hgt; values mapped from [lo, hi]. */
  function bars(svg, box, values, lo, hi, opts) {
    var x0 = box[0], y0 = box[1], w = box[2], hgt = box[3];
    var y = function (v) { return y0 + hgt * (hi - Math.max(lo, Math.min(hi, v))) / (hi - lo); };
    svg.appendChild(s("line", { x1: x0, x2: x0 + w, y1: y(Math.max(lo, 0)), y2: y(Math.max(lo, 0)),
                                "class": "ce-axis" }));
    var n = values.length, slot = w / n;
    values.forEach(function (v, j) {
      var shownV = isFinite(v) ? v : hi;
      var top = Math.min(y(shownV), y(Math.max(lo, 0))), bottom = Math.max(y(shownV), y(Math.max(lo, 0)));
      var bx = x0 + slot * j + slot * 0.15, bw = slot * 0.7;
      if (opts.group) { bx = x0 + slot * j + slot * (0.1 + 0.4 * opts.group[0]); bw = slot * 0.38; }
      if (!isNaN(v)) {
        svg.appendChild(s("rect", { x: bx, y: top, width: bw, height: Math.max(0.5, bottom - top),
                                    fill: Array.isArray(opts.fill) ? opts.fill[j] : (opts.fill || "none"),
                                    "class": opts.outline ? "ce-outline" : "" }));
      }
      if (opts.labels) {
        var ly = v >= 0 || isNaN(v) ? top - 3 : bottom + 11;
        svg.appendChild(s("text", { x: bx + bw / 2, y: isNaN(v) ? y0 + hgt - 3 : ly,
                                    "text-anchor": "middle", "class": "ce-small" }, opts.labels[j]));
      }
    });
    if (opts.names) {
      opts.names.forEach(function (name, j) {
        svg.appendChild(s("text", { x: x0 + slot * (j + 0.5), y: y0 + hgt + 14,
                                    "text-anchor": "middle" }, name));
      });
    }
    if (opts.title) {
      svg.appendChild(s("text", { x: x0 + w / 2, y: y0 - 16, "text-anchor": "middle",
                                  "class": "ce-title" }, opts.title));
    }
    return y;
  }
  function newSvg(w, hgt, label) {
    return s("svg", { viewBox: "0 0 " + w + " " + hgt, role: "img", "aria-label": label,
                      "class": "ce-chart" });
  }
  function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } }

  /* A chart of n panels, each cellW × cellH chart units under a head of headWide (or
   * headNarrow) units: side by side, or one above the other when the chart is narrower than
   * NARROW_PX (a phone), so that the text keeps at least its nominal size -- a 640-unit chart
   * on a 330 px screen would shrink 10 px labels to 5 px. Each panel draws in its own <g>. */
  var NARROW_PX = 520;
  function panels(chart, n, cellW, cellH, headWide, headNarrow, label) {
    var narrow = chart.clientWidth > 0 && chart.clientWidth < NARROW_PX;
    var head = narrow ? headNarrow : headWide;
    var svg = newSvg(narrow ? cellW : n * cellW, head + (narrow ? n : 1) * cellH, label);
    if (narrow) {
      svg.setAttribute("style", "display:block;margin:0 auto;max-width:" + Math.round(1.25 * cellW) + "px");
    }
    var cells = [];
    for (var i = 0; i < n; i++) {
      var g = s("g", { transform: "translate(" + (narrow ? 0 : i * cellW) + "," +
                                  (head + (narrow ? i * cellH : 0)) + ")" });
      svg.appendChild(g);
      cells.push(g);
    }
    return { svg: svg, cells: cells, narrow: narrow, width: narrow ? cellW : n * cellW };
  }
  /* Charts are drawn again when the window changes between wide and narrow. */
  var redraws = [];
  function redrawn(render) { redraws.push(render); return render; }

  // -------------------------------------------------------------------------- explorers
  var KINDS = {};

  KINDS.temperature = function (root, cfg) {
    var names = cfg.classes;
    var boxes = cfg.logits.map(function (v, j) {
      return numberBox(names[j] + "的 logit", v, cfg.limit, render);
    });
    var temp = slider("温度 T", cfg.temperatures, cfg.temperatures.indexOf(cfg.temperature),
                      function (t) { return t.toFixed(2); }, render);
    var chart = h("div", { "class": "ce-figure ce-narrow" });
    var stable = [], naive = [];
    names.forEach(function (n, j) {
      stable.push(n + " ", out("stable" + j), j < names.length - 1 ? "，" : "");
      naive.push(n + " ", out("naive" + j), j < names.length - 1 ? "，" : "");
    });
    var note = h("p", { "class": "ce-note", "data-out": "note" });
    root.appendChild(h("div", { "class": "ce-controls" },
                       boxes.map(function (b) { return b.root; }).concat([temp.root])));
    root.appendChild(chart);
    root.appendChild(h("p", { "class": "ce-readout", "aria-live": "polite" },
                       ["减去最大值后（稳定）："].concat(stable)));
    root.appendChild(h("p", { "class": "ce-readout" }, ["直接按公式计算："].concat(naive)));
    root.appendChild(note);

    function render() {
      var o = boxes.map(function (b) { return b.value(); });
      var t = temp.value();
      if (o.some(function (v) { return v === null; })) {
        note.textContent = "请在每个框里填一个数。";
        return;
      }
      var p = softmaxT(o, t), nv = naiveSoftmax(o, t);
      p.forEach(function (v, j) { setOut(root, "stable" + j, fixed(v, 3)); });
      nv.forEach(function (v, j) { setOut(root, "naive" + j, fixed(v, 3)); });
      note.textContent = nv.some(isNaN)
        ? "直接计算出现了 NaN：某个 exp(o/T) 上溢成 inf（inf/inf）或全部下溢成 0（0/0）；减去最大值后不会。"
        : "";
      var svg = newSvg(320, 200, "温度 T = " + t.toFixed(2) + " 时的 softmax 概率柱状图");
      bars(svg, [40, 34, 270, 140], p, 0, 1.1, {
        fill: COLORS, names: names, labels: p.map(function (v) { return fixed(v, 3); }),
        title: "温度 T = " + t.toFixed(2) });
      svg.appendChild(s("text", { x: 15, y: 104, transform: "rotate(-90 15 104)",
                                  "text-anchor": "middle" }, "概率"));
      clear(chart); chart.appendChild(svg);
    }
    render();
  };

  KINDS.loss = function (root, cfg) {
    var names = cfg.classes;
    var values = steps(-cfg.range, cfg.range, cfg.step, 1);
    var label = radios("真实标签", names.map(function (n, j) { return { label: n, value: j }; }),
                       cfg.label, render);
    var sliders = cfg.logits.map(function (v, j) {
      return slider("o" + "₁₂₃"[j] + "（" + names[j] + "的 logit）", values, nearest(values, v),
                    function (x) { return x.toFixed(1); }, render);
    });
    var chart = h("div", { "class": "ce-figure" });
    var probs = [], grads = [];
    names.forEach(function (n, j) {
      probs.push(n + " ", out("p" + j), j < names.length - 1 ? "，" : "");
      grads.push(n + " ", out("g" + j), j < names.length - 1 ? "，" : "");
    });
    root.appendChild(h("div", { "class": "ce-controls" },
                       [label.root].concat(sliders.map(function (x) { return x.root; }))));
    root.appendChild(chart);
    root.appendChild(h("p", { "class": "ce-readout", "aria-live": "polite" },
                       ["损失 l = ", out("loss"), "；概率 ŷ："].concat(probs)));
    root.appendChild(h("p", { "class": "ce-readout" }, ["梯度 ŷ − y："].concat(grads)));

    function render() {
      var o = sliders.map(function (x) { return x.value(); });
      var k = label.value();
      var p = softmax(o);
      var loss = logsumexp(o) - o[k];
      var y = names.map(function (_, j) { return j === k ? 1 : 0; });
      var g = p.map(function (v, j) { return v - y[j]; });
      setOut(root, "loss", loss.toFixed(3));
      p.forEach(function (v, j) { setOut(root, "p" + j, v.toFixed(3)); });
      g.forEach(function (v, j) { setOut(root, "g" + j, signed(v, 3)); });
      var c = panels(chart, 3, 214, 200, 30, 46, "真实标签为" + names[k] +
                     "时的 logit、概率和梯度柱状图，损失 " + loss.toFixed(3));
      var heads = c.narrow ? ["真实标签：" + names[k], "损失 l = −log ŷ_k = " + loss.toFixed(3)]
                           : ["真实标签：" + names[k] + "　　损失 l = −log ŷ_k = " + loss.toFixed(3)];
      heads.forEach(function (text, i) {
        c.svg.appendChild(s("text", { x: c.width / 2, y: 16 + 18 * i, "text-anchor": "middle",
                                      "class": "ce-title" }, text));
      });
      var top = Math.max(cfg.range, max(o.map(Math.abs)) * 1.05);
      var box = [17, 32, 180, 130];
      bars(c.cells[0], box, o, -top, top, { fill: COLORS, names: names,
           labels: o.map(function (v) { return v.toFixed(1); }), title: "logit o_j" });
      bars(c.cells[1], box, p, 0, 1.05, { fill: COLORS, names: names,
           labels: p.map(function (v) { return v.toFixed(3); }),
           title: "概率 ŷ_j 与独热标签 y_j（虚线）" });
      bars(c.cells[1], box, y, 0, 1.05, { outline: true });
      bars(c.cells[2], box, g, -1.05, 1.05, { fill: COLORS, names: names,
           labels: g.map(function (v) { return signed(v, 3); }), title: "梯度 ŷ_j − y_j" });
      clear(chart); chart.appendChild(c.svg);
    }
    redrawn(render)();
  };

  KINDS.info = function (root, cfg) {
    var names = cfg.classes;
    var values = steps(0, 1, cfg.step, 2);
    var unit = radios("单位", [{ label: cfg.units.bit, value: "bit" },
                               { label: cfg.units.nat, value: "nat" }], cfg.unit, render);
    function weights(dist, start) {
      return start.map(function (v, j) {
        return slider(dist + " 中" + names[j] + "的权重", values, nearest(values, v),
                      function (x) { return x.toFixed(2); }, render);
      });
    }
    var pw = weights("P", cfg.p), qw = weights("Q", cfg.q);
    var chart = h("div", { "class": "ce-figure" });
    var dists = [];
    ["p", "q"].forEach(function (d) {
      dists.push(d.toUpperCase() + " = (");
      names.forEach(function (_, j) { dists.push(out(d + j), j < names.length - 1 ? ", " : ")"); });
      dists.push(d === "p" ? "；" : "");
    });
    var note = h("p", { "class": "ce-note", "data-out": "note" });
    root.appendChild(h("div", { "class": "ce-controls" }, [unit.root]
      .concat(pw.map(function (x) { return x.root; }), qw.map(function (x) { return x.root; }))));
    root.appendChild(chart);
    root.appendChild(h("p", { "class": "ce-readout" }, dists));
    root.appendChild(h("p", { "class": "ce-readout", "aria-live": "polite" },
                       ["H(P) = ", out("H"), "，H(P, Q) = ", out("CE"), "，KL(P‖Q) = ", out("KL"),
                        "（单位：", out("unit"), "）"]));
    root.appendChild(note);

    function render() {
      var p = normalise(pw.map(function (x) { return x.value(); }));
      var q = normalise(qw.map(function (x) { return x.value(); }));
      var u = unit.value();
      setOut(root, "unit", cfg.units[u]);
      if (!p || !q) {
        note.textContent = "P 和 Q 各至少要有一个正的权重。";
        ["H", "CE", "KL"].forEach(function (k) { setOut(root, k, "—"); });
        return;
      }
      note.textContent = "";
      var v = info(p, q, u);
      p.forEach(function (x, j) { setOut(root, "p" + j, x.toFixed(3)); });
      q.forEach(function (x, j) { setOut(root, "q" + j, x.toFixed(3)); });
      setOut(root, "H", infinite(v.H, 3));
      setOut(root, "CE", infinite(v.CE, 3));
      setOut(root, "KL", infinite(v.KL, 3));
      var c = panels(chart, 2, 320, 230, 0, 0, "P 与 Q 的柱状图，以及熵、交叉熵和 KL 散度的柱状图");
      var box = [40, 40, 250, 150];
      bars(c.cells[0], box, p, 0, 1.05, { fill: GREY, group: [0], names: names,
           title: "P（灰）与 Q（彩色）" });
      bars(c.cells[0], box, q, 0, 1.05, { fill: COLORS, group: [1] });
      var finite = [v.H, v.CE, v.KL].filter(isFinite);
      var topV = Math.max(2 * Math.log(names.length) * (u === "bit" ? 1 / LN2 : 1),
                          1.15 * max(finite.concat([1])), 0.5) * 1.1;
      var y = bars(c.cells[1], box, [v.H, v.CE, v.KL], 0, topV, {
        fill: ["#4C72B0", "#DD8452", "#C44E52"], names: ["H(P)", "H(P, Q)", "KL(P‖Q)"],
        labels: [v.H, v.CE, v.KL].map(function (x) { return infinite(x, 3); }),
        title: "熵、交叉熵与 KL 散度（" + cfg.units[u] + "）" });
      c.cells[1].appendChild(s("line", { x1: 40, x2: 290, y1: y(v.H), y2: y(v.H),
                                         "class": "ce-dash" }));
      clear(chart); chart.appendChild(c.svg);
    }
    redrawn(render)();
  };

  KINDS.training = function (root, cfg) {
    var grid = cfg.grid;
    var lr = slider("学习率", grid.lrs, grid.lrs.indexOf(cfg.lr), num, render);
    var batch = radios("批量大小", grid.batch_sizes.map(function (b) {
      return { label: String(b), value: b };
    }), cfg.batch_size, render);
    var epochValues = steps(1, grid.num_epochs, 1, 0);
    var epochs = slider("轮数", epochValues, cfg.epochs - 1, num, render);
    var chart = h("div", { "class": "ce-figure" });
    root.appendChild(h("div", { "class": "ce-controls" }, [lr.root, batch.root, epochs.root]));
    root.appendChild(chart);
    root.appendChild(h("p", { "class": "ce-readout", "aria-live": "polite" },
      ["学习率 ", out("lr"), "、批量大小 ", out("batch"), "：第 ", out("epochs"),
       " 轮的训练损失 ", out("loss"), "，测试精度 ", out("acc"), "。"]));
    var top = 0;
    Object.keys(grid.runs).forEach(function (k) { top = Math.max(top, max(grid.runs[k].loss)); });

    function line(svg, box, ys, lo, hi, color, title) {
      var x0 = box[0], y0 = box[1], w = box[2], hgt = box[3], n = grid.num_epochs;
      var X = function (e) { return x0 + w * (e - 0.5) / n; };
      var Y = function (v) { return y0 + hgt * (hi - v) / (hi - lo); };
      svg.appendChild(s("rect", { x: x0, y: y0, width: w, height: hgt, "class": "ce-frame" }));
      [lo, (lo + hi) / 2, hi].forEach(function (v) {
        svg.appendChild(s("text", { x: x0 - 4, y: Y(v) + 4, "text-anchor": "end",
                                    "class": "ce-small" }, v.toFixed(hi > 1.5 ? 1 : 2)));
      });
      [1, 10, 20, 30].filter(function (e) { return e <= n; }).forEach(function (e) {
        svg.appendChild(s("text", { x: X(e), y: y0 + hgt + 13, "text-anchor": "middle",
                                    "class": "ce-small" }, String(e)));
      });
      svg.appendChild(s("text", { x: x0 + w / 2, y: y0 + hgt + 27, "text-anchor": "middle",
                                  "class": "ce-small" }, "轮数"));
      svg.appendChild(s("polyline", { points: ys.map(function (v, i) {
        return X(i + 1).toFixed(1) + "," + Y(v).toFixed(1); }).join(" "),
        fill: "none", stroke: color, "stroke-width": 2 }));
      ys.forEach(function (v, i) {
        svg.appendChild(s("circle", { cx: X(i + 1), cy: Y(v), r: 2.5, fill: color }));
      });
      svg.appendChild(s("text", { x: x0 + w / 2, y: y0 - 8, "text-anchor": "middle",
                                  "class": "ce-title" }, title));
    }

    function render() {
      var l = lr.value(), b = batch.value(), e = epochs.value();
      var run = grid.runs[num(l) + "|" + b];
      var loss = run.loss.slice(0, e), acc = run.acc.slice(0, e);
      setOut(root, "lr", num(l));
      setOut(root, "batch", String(b));
      setOut(root, "epochs", String(e));
      setOut(root, "loss", loss[e - 1].toFixed(4));
      setOut(root, "acc", acc[e - 1].toFixed(4));
      var c = panels(chart, 2, 320, 220, 0, 0, "学习率 " + num(l) + "、批量大小 " + b + " 时前 " +
                     e + " 轮的训练损失和测试精度曲线");
      line(c.cells[0], [50, 30, 250, 150], loss, 0, top * 1.05, "#4C72B0",
           "训练损失（第 " + e + " 轮 " + loss[e - 1].toFixed(4) + "）");
      line(c.cells[1], [50, 30, 250, 150], acc, 0, 1, "#DD8452",
           "测试精度（第 " + e + " 轮 " + acc[e - 1].toFixed(4) + "）");
      clear(chart); chart.appendChild(c.svg);
    }
    redrawn(render)();
  };

  /* Clip a convex polygon to the half-plane a·x + c >= 0 (Sutherland–Hodgman). */
  function clip(poly, a, c) {
    var res = [];
    for (var i = 0; i < poly.length; i++) {
      var P = poly[i], Q = poly[(i + 1) % poly.length];
      var fp = a[0] * P[0] + a[1] * P[1] + c, fq = a[0] * Q[0] + a[1] * Q[1] + c;
      if (fp >= 0) { res.push(P); }
      if ((fp >= 0) !== (fq >= 0)) {
        var t = fp / (fp - fq);
        res.push([P[0] + t * (Q[0] - P[0]), P[1] + t * (Q[1] - P[1])]);
      }
    }
    return res;
  }

  KINDS.regions = function (root, cfg) {
    var names = cfg.classes, B = cfg.box;
    var values = steps(-cfg.range, cfg.range, cfg.step, 1);
    var f1 = function (x) { return x.toFixed(1); };
    var w = [[], []], b = [];
    var controls = [];
    names.forEach(function (n, j) {
      [0, 1].forEach(function (k) {
        w[k][j] = slider(n + "的权重 w" + "₁₂"[k], values, nearest(values, cfg.W[k][j]), f1, render);
        controls.push(w[k][j].root);
      });
      b[j] = slider(n + "的偏置 b", values, nearest(values, cfg.b[j]), f1, render);
      controls.push(b[j].root);
    });
    var chart = h("div", { "class": "ce-figure ce-square" });
    root.appendChild(h("div", { "class": "ce-controls ce-three" }, controls));
    root.appendChild(chart);
    root.appendChild(h("p", { "class": "ce-readout", "aria-live": "polite" },
      [out("right"), " / ", out("total"), " 个点落在自己类别的区域里。"]));

    function render() {
      var W = [0, 1].map(function (k) { return names.map(function (_, j) { return w[k][j].value(); }); });
      var bias = names.map(function (_, j) { return b[j].value(); });
      var size = 300, pad = 30;
      var X = function (v) { return pad + size * (v + B) / (2 * B); };
      var Y = function (v) { return pad + size * (B - v) / (2 * B); };
      var svg = newSvg(size + 2 * pad, size + 2 * pad, "决策区域与数据点");
      var right = 0;
      names.forEach(function (_, i) {
        var poly = [[-B, -B], [B, -B], [B, B], [-B, B]];
        names.forEach(function (_, j) {
          if (i === j || !poly.length) { return; }
          // o_i - o_j = (w_i - w_j)·x + (b_i - b_j) >= 0
          poly = clip(poly, [W[0][i] - W[0][j], W[1][i] - W[1][j]], bias[i] - bias[j]);
        });
        if (poly.length) {
          svg.appendChild(s("polygon", { points: poly.map(function (P) {
            return X(P[0]).toFixed(1) + "," + Y(P[1]).toFixed(1); }).join(" "),
            fill: COLORS[i], "fill-opacity": 0.25, "class": "ce-region", "data-class": i }));
        }
      });
      cfg.X.forEach(function (P, n) {
        var o = names.map(function (_, j) { return W[0][j] * P[0] + W[1][j] * P[1] + bias[j]; });
        var k = cfg.y[n];
        if (argmax(o) === k) { right += 1; }
        var cx = X(P[0]), cy = Y(P[1]), r = 4;
        var shape = k === 0 ? s("circle", { cx: cx, cy: cy, r: r })
          : k === 1 ? s("polygon", { points: [cx, cy - r - 1, cx - r - 1, cy + r, cx + r + 1, cy + r].join(",") })
          : s("rect", { x: cx - r, y: cy - r, width: 2 * r, height: 2 * r });
        shape.setAttribute("fill", COLORS[k]);
        shape.setAttribute("class", "ce-point");
        svg.appendChild(shape);
      });
      svg.appendChild(s("rect", { x: pad, y: pad, width: size, height: size, "class": "ce-frame" }));
      svg.appendChild(s("text", { x: pad + size / 2, y: size + 2 * pad - 6, "text-anchor": "middle" }, "x₁"));
      svg.appendChild(s("text", { x: 10, y: pad + size / 2, "text-anchor": "middle" }, "x₂"));
      names.forEach(function (n, j) {
        svg.appendChild(s("text", { x: pad + 8 + 60 * j, y: pad - 10, fill: COLORS[j],
                                    "class": "ce-title" }, ["●", "▲", "■"][j] + " " + n));
      });
      setOut(root, "right", String(right));
      setOut(root, "total", String(cfg.X.length));
      clear(chart); chart.appendChild(svg);
    }
    render();
  };

  // ----------------------------------------------------------------------------- start
  var CSS = [
    ".course-explorer{border:1px solid var(--pst-color-border,#ccc);border-radius:6px;",
    "padding:.75rem;margin:.5rem 0 1rem;color:var(--pst-color-text-base,#222);",
    "background:var(--pst-color-background,#fff)}",
    ".course-explorer .ce-controls{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.4rem 1rem}",
    ".course-explorer .ce-control{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem .5rem}",
    ".course-explorer .ce-control label{flex:1 0 100%;font-size:.9em}",
    ".course-explorer input[type=range]{flex:1;min-width:8rem;accent-color:var(--pst-color-primary,#4C72B0)}",
    ".course-explorer input[type=number]{width:8rem;color:inherit;background:var(--pst-color-surface,#fff);",
    "border:1px solid var(--pst-color-border,#999);border-radius:4px;padding:.1rem .3rem}",
    ".course-explorer output{min-width:3.2em;font-variant-numeric:tabular-nums}",
    ".course-explorer fieldset{border:0;margin:0;padding:0}",
    ".course-explorer legend{font-size:.9em;padding:0}",
    ".course-explorer fieldset label{margin-right:1em}",
    ".course-explorer .ce-figure{max-width:40rem;margin:.5rem auto}",
    ".course-explorer .ce-square{max-width:22rem}",
    ".course-explorer .ce-narrow{max-width:24rem}",
    ".course-explorer .ce-chart{width:100%;height:auto;font-size:12px;fill:currentColor}",
    ".course-explorer .ce-chart text{fill:currentColor}",
    ".course-explorer .ce-small{font-size:10px}",
    ".course-explorer .ce-title{font-size:12px;font-weight:600}",
    ".course-explorer .ce-axis,.course-explorer .ce-frame{stroke:currentColor;fill:none;stroke-width:1}",
    ".course-explorer .ce-outline{stroke:currentColor;stroke-dasharray:4 3;stroke-width:1.5}",
    ".course-explorer .ce-dash{stroke:#4C72B0;stroke-dasharray:5 4}",
    ".course-explorer .ce-point{stroke:var(--pst-color-text-base,#222);stroke-width:.6}",
    ".course-explorer .ce-readout{margin:.25rem 0;font-variant-numeric:tabular-nums}",
    ".course-explorer .ce-note{margin:.25rem 0;color:var(--pst-color-danger,#c44e52)}",
    ".course-explorer :focus-visible{outline:2px solid var(--pst-color-primary,#4C72B0);outline-offset:2px}"
  ].join("");

  function hydrate(root) {
    if (root.dataset.ready) { return; }
    var make = KINDS[root.dataset.kind];
    if (!make) { return; }
    var cfg = JSON.parse(root.dataset.config);
    var picture = root.querySelector("img.course-explorer-picture");
    if (picture) { picture.remove(); }
    make(root, cfg);
    root.dataset.ready = "1";
  }

  function start() {
    if (!document.getElementById("course-explorer-style")) {
      var style = document.createElement("style");
      style.id = "course-explorer-style";
      style.textContent = CSS;
      document.head.appendChild(style);
    }
    document.querySelectorAll(".course-explorer").forEach(function (root) {
      try { hydrate(root); } catch (error) {
        console.error("course explorer " + root.dataset.kind + " failed:", error);
      }
    });
  }
  var resizing = null;
  window.addEventListener("resize", function () {   // e.g. a phone turned sideways
    clearTimeout(resizing);
    resizing = setTimeout(function () { redraws.forEach(function (draw) { draw(); }); }, 150);
  });

  // Exposed for the browser tests (they compare these with the package too).
  window.courseExplorers = { softmax: softmax, naiveSoftmax: naiveSoftmax, logsumexp: logsumexp,
                             info: info, start: start };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
