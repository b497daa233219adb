// MOO Lab chart board (a Streamlit component without a build step). Streamlit posts
// "streamlit:render" with the page's figures every refresh: each figure is drawn once and
// then updated in place with Plotly.react (no remount, no blank frame). With `replay`, the
// controls move a point along each path and a cursor across the step charts, all here in
// the browser: no server round trip per frame.
(function () {
  "use strict";
  const plots = document.getElementById("plots");
  const bar = document.getElementById("replay");
  const scrub = document.getElementById("scrub");
  const playButton = document.getElementById("play");
  const stepLabel = document.getElementById("steplabel");
  const speed = document.getElementById("speed");
  const replay = { spec: null, key: null, frame: 0, timer: null, frameMs: 50 };
  let lastHeight = -1;
  const PROJECTOR_HEIGHT = 720;

  function send(type, data) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data), "*");
  }
  function setHeight() {
    const height = Math.ceil(document.body.scrollHeight);
    if (height !== lastHeight) {
      lastHeight = height;
      send("streamlit:setFrameHeight", { height: height });
    }
  }

  function styled(figure, args) {
    const layout = Object.assign({}, figure.layout);
    if (args.template) layout.template = args.template;
    layout.autosize = true;
    delete layout.width;
    if (args.font) {  // projector: large fonts need room below the axis for the legend
      layout.font = Object.assign({}, layout.font, { size: args.font });
      const margin = layout.margin || {};
      layout.margin = Object.assign({}, margin, { l: 100, b: Math.round((margin.b || 80) * 1.6) });
      layout.legend = Object.assign({}, layout.legend, { y: -0.3 });
      // tall enough that large fonts and the legend leave a square-ish plot (no squashed path)
      layout.height = Math.max(layout.height || 450, PROJECTOR_HEIGHT);
      const data = figure.data.map(function (trace) {
        if (!trace.line || trace.type === "parcoords") return trace;
        const line = Object.assign({}, trace.line, { width: (trace.line.width || 2) * 1.8 });
        return Object.assign({}, trace, { line: line });
      });
      return { data: data, layout: layout };
    }
    return { data: figure.data, layout: layout };
  }

  function render(args) {
    const figures = JSON.parse(args.figures);
    document.body.classList.toggle("projector", Boolean(args.font));
    plots.style.gridTemplateColumns = "repeat(" + (args.columns || 2) + ", minmax(0, 1fr))";
    const config = { responsive: true, displaylogo: false, staticPlot: Boolean(args.static) };
    const keep = new Set();
    figures.forEach(function (item, index) {
      const id = "plot-" + item.id;
      keep.add(id);
      let div = document.getElementById(id);
      if (!div) {
        div = document.createElement("div");
        div.id = id;
        div.className = "plot";
        div.dataset.name = item.id;
      }
      if (plots.children[index] !== div) plots.insertBefore(div, plots.children[index] || null);
      div.classList.toggle("wide", Boolean(item.wide));
      const drawn = styled(item.figure, args);
      // A fixed height: with `responsive`, Plotly sizes its SVG to 100 % of this div, so a div
      // sized by its content collapsed to 0 px while Plotly redrew (charts blinking out).
      div.style.height = (drawn.layout.height || 450) + "px";
      const mode = config.staticPlot ? "static" : "live";
      if (div.dataset.mode && div.dataset.mode !== mode) {
        swap(div, drawn, config, mode);
      } else if (div.swapping) {
        div.swapping.latest = drawn;  // drawn on the new copy once it is in place
      } else {
        div.dataset.mode = mode;
        Plotly.react(div, drawn.data, drawn.layout, config);
      }
    });
    Array.from(plots.children).forEach(function (div) {
      if (!keep.has(div.id)) {
        Plotly.purge(div);
        div.remove();
      }
    });
    setReplay(args.replay || null);
    setHeight();
  }

  // A change of config (static while polling → interactive at the end) makes Plotly.react
  // draw the plot anew, blank for a moment: draw a new copy out of sight instead, then put it
  // in the old one's place (no blank frame).
  function swap(old, drawn, config, mode) {
    if (old.swapping) {
      old.swapping.latest = drawn;
      return;
    }
    const fresh = document.createElement("div");
    fresh.className = old.className;
    fresh.dataset.name = old.dataset.name;
    fresh.dataset.mode = mode;
    fresh.style.cssText = "position: absolute; left: -10000px; top: 0; width: "
      + old.offsetWidth + "px; height: " + old.offsetHeight + "px";
    document.body.appendChild(fresh);
    old.swapping = { latest: null };
    Plotly.newPlot(fresh, drawn.data, drawn.layout, config).then(function () {
      const latest = old.swapping.latest;
      // in the old one's place with its fixed height (see render): a copy sized by its content
      // collapsed to 0 px when Plotly redrew it, and all the swapped charts blinked out at once
      fresh.style.cssText = "height: " + old.style.height;
      const id = old.id;
      old.replaceWith(fresh);
      fresh.id = id;
      Plotly.purge(old);
      if (latest) Plotly.react(fresh, latest.data, latest.layout, config);
      show(replay.frame);  // the replay's points and cursors on the new copy
    });
  }

  function setReplay(spec) {
    const key = spec ? JSON.stringify(spec.steps.length) + ":" + spec.steps[spec.steps.length - 1]
      + ":" + spec.moves.length : null;
    replay.spec = spec;
    bar.style.display = spec ? "flex" : "none";
    document.body.dataset.replay = spec ? "on" : "off";
    if (!spec) {
      pause();
      return;
    }
    replay.frameMs = spec.frame_ms || 50;
    if (key !== replay.key) {  // a new replay: from its end (the runs as they finished), or
      replay.key = key;        // played from step 0 when training outran the eye (autoplay)
      pause();
      scrub.max = String(spec.steps.length - 1);
      replay.frame = spec.autoplay ? 0 : spec.steps.length - 1;
      show(replay.frame);
      if (spec.autoplay) play();
      return;
    }
    show(replay.frame);  // Plotly.react has just reset the moved traces
  }

  function show(frame) {
    const spec = replay.spec;
    if (!spec) return;
    frame = Math.max(0, Math.min(spec.steps.length - 1, frame));
    replay.frame = frame;
    const step = spec.steps[frame];
    const byPlot = {};
    spec.moves.forEach(function (move) {
      const entry = byPlot[move.plot] || (byPlot[move.plot] = { x: [], y: [], z: [], traces: [] });
      entry.x.push([move.x[frame]]);
      entry.y.push([move.y[frame]]);
      if (move.z) entry.z.push([move.z[frame]]);  // a path in 3-D (three objectives)
      entry.traces.push(move.trace);
    });
    Object.keys(byPlot).forEach(function (plot) {
      const div = document.getElementById("plot-" + plot);
      const entry = byPlot[plot];
      const update = { x: entry.x, y: entry.y };
      if (entry.z.length) update.z = entry.z;
      if (div && div.data) Plotly.restyle(div, update, entry.traces);
    });
    spec.cursors.forEach(function (cursor) {
      const div = document.getElementById("plot-" + cursor.plot);
      if (!div || !div.layout) return;
      const update = {};
      update["shapes[" + cursor.shape + "].x0"] = step;
      update["shapes[" + cursor.shape + "].x1"] = step;
      Plotly.relayout(div, update);
    });
    scrub.value = String(frame);
    stepLabel.textContent = "step " + Number(step).toLocaleString("en-US");
    document.body.dataset.frame = String(frame);
    document.body.dataset.step = String(step);
  }

  function tick() {
    if (!replay.spec) return;
    if (replay.frame >= replay.spec.steps.length - 1) {
      pause();
      return;
    }
    show(replay.frame + 1);
    replay.timer = setTimeout(tick, replay.frameMs / Number(speed.value));
  }
  function play() {
    if (!replay.spec) return;
    if (replay.frame >= replay.spec.steps.length - 1) show(0);  // from the start again
    playButton.textContent = "Pause";
    document.body.dataset.playing = "yes";
    clearTimeout(replay.timer);
    replay.timer = setTimeout(tick, replay.frameMs / Number(speed.value));
  }
  function pause() {
    clearTimeout(replay.timer);
    replay.timer = null;
    playButton.textContent = "▶ Play";
    document.body.dataset.playing = "no";
  }

  playButton.addEventListener("click", function () { (replay.timer ? pause : play)(); });
  document.getElementById("back").addEventListener("click", function () {
    pause();
    show(replay.frame - 1);
  });
  document.getElementById("next").addEventListener("click", function () {
    pause();
    show(replay.frame + 1);
  });
  scrub.addEventListener("input", function () {
    pause();
    show(Number(scrub.value));
  });

  window.addEventListener("message", function (event) {
    if (event.data && event.data.type === "streamlit:render") render(event.data.args);
  });
  new ResizeObserver(setHeight).observe(document.body);
  send("streamlit:componentReady", { apiVersion: 1 });
})();
