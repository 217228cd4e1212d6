/* Looking back on a dashboard's page: the time-range picker, the range in the URL, zoom by
 * dragging, history drawn from GET /api/history, the live tail merged in, CSV per panel (effects).
 *
 * No range in the URL: the page is live, as it always was, and nothing here draws. With one
 * (?from=now-6h&to=now, or absolute), every line panel is drawn from the history API over that
 * range (two points a pixel, every spike kept: live/downsample.py); a range ending at now keeps
 * sliding with the server's clock, live points joined to the history's end (pulseboard-range.js
 * merge); a range in the past stays still whatever arrives. Dragging across a graph's time
 * narrows the range for every panel and the URL; a double-click goes back to the range before.
 *
 * Hooked in without touching the dashboard's own script: PulseboardDashboard.create (loaded
 * first: "-d" < "-h") is wrapped, so this file sees the panels' series in each reset and frame,
 * and, while a range is shown, keeps the board's own point and axis patches off line panels
 * (theme and size patches still pass). Pure parts: pulseboard-range.js.
 */
(function (root) {
    "use strict";

    var GRAPH_TYPE = "pb-graph";
    var LIVE_TAIL = 20000;     // live points kept per series for a sliding range
    var SLIDE_MS = 1000;       // a sliding range moves on once a second
    var BACK_MS = 1000;
    var SIDES_PX = 80;         // a panel's width that is not its plot area, before its graph is drawn        // how long after a double-click Plotly's own relayout may come
    var Dashboard = root.PulseboardDashboard;
    if (!Dashboard) {
        return;
    }
    var original = Dashboard.create;
    var current = null;        // the controller of the board on the page now

    function keepOperation(operation) {
        // While a range is shown, the board's points and axis ranges stay off its line panels.
        var at = operation.location || [];
        if (at[0] === "data") {
            return false;
        }
        return !(at[0] === "layout" && (at[1] === "xaxis" || at[1] === "yaxis") && at[2] === "range");
    }

    function controller(page, tools) {
        var R = root.pulseboardRange;
        var U = root.pulseboardUpdates;
        var V = root.pulseboardView;
        var view = {
            range: R.fromSearch(root.location.search),
            back: [],             // the ranges before each zoom, for double-click
            specs: new Map(),     // panel id -> its settings
            keys: new Map(),      // panel id -> series keys drawn in it
            names: new Map(),     // series key -> {name, labels}
            live: new Map(),      // series key -> {x, y}: points seen live since the page's reset
            history: new Map(),   // panel id -> Map(series key -> {x, y}) as the API answered
            bounds: null,         // [start, end] ms the API answered for
            offset: 0,            // server's clock minus this browser's, ms
            generation: 0,        // loads started; an answer to an older one is dropped
            loads: 0,             // loads finished and drawn (for tests)
            draws: 0,
            askedAt: 0,           // performance.now() when the newest load began, and when it was answered
            answeredAt: 0,        // (for the page benchmark: benchmarks/history_page.py)
            held: 0,              // the board's patches kept off line panels (for tests)
            lastSlide: 0,
            backAt: 0,            // when a graph was last double-clicked
            timer: null
        };

        function active() {
            return view.range !== null;
        }

        function serverNow() {
            return Date.now() + view.offset;
        }

        function base() {
            return page.settings.stream.replace(/\/api\/stream.*$/, "");
        }

        function isLine(panelId) {
            var spec = view.specs.get(panelId);
            return !!spec && spec.kind === "line";
        }

        var filtered = Object.assign({}, tools, {
            setProps: function (id, props) {
                if (active() && id && id.type === GRAPH_TYPE && props.figure && isLine(id.panel)) {
                    var operations = (props.figure.operations || []).filter(keepOperation);
                    view.held += 1;
                    if (!operations.length) {
                        return;
                    }
                    props = Object.assign({}, props, {
                        figure: Object.assign({}, props.figure, {operations: operations}), animate: false
                    });
                }
                tools.setProps(id, props);
            }
        });

        function note(text) {
            if (root.document.getElementById("pb-range-note")) {  // a kiosk page has no picker
                tools.setProps("pb-range-note", {children: text || ""});
            }
        }

        function showRange() {
            // The picker says which range is shown: its preset pressed, or the custom from/to filled in.
            var bar = root.document.getElementById("pb-range");
            if (!bar) {
                return;
            }
            var pressed = false;
            bar.querySelectorAll(".pb-range-preset").forEach(function (button) {
                var from = button.getAttribute("data-from") || "";
                var on = view.range === null ? from === "" : from === view.range.from && R.sliding(view.range);
                pressed = pressed || on;
                button.setAttribute("aria-pressed", on ? "true" : "false");
            });
            var custom = view.range !== null && !pressed;
            tools.setProps("pb-range-from", {value: custom ? view.range.from : ""});
            tools.setProps("pb-range-to", {value: custom ? view.range.to : ""});
            bar.classList.toggle("pb-range-custom-on", custom);
            note(view.back.length ? "zoomed in: double-click a graph to go back" : "");
        }

        function setRange(range, zoomed) {
            // A new range for the whole page: into the URL (a link shows the same), then drawn.
            if (!zoomed) {
                view.back = [];
            }
            var before = view.range;
            view.range = range;
            writeUrl(range);
            if (range === null) {
                root.location.reload();  // live again: the page as it always was, from its layout
                return;
            }
            showRange();
            load(before);
        }

        function writeUrl(range) {
            var url = root.location.pathname + R.withRange(root.location.search, range) + root.location.hash;
            root.history.replaceState(root.history.state, "", url);
        }

        function onRelayout(panelId, data) {
            // Plotly follows a double-click with a relayout to the first ranges it drew: not a zoom.
            if (Date.now() - view.backAt < BACK_MS) {
                if (active()) {
                    draw(panelId);
                }
                return;
            }
            var asked = R.zoom(data);
            if (asked && asked !== "back") {
                view.back.push(view.range);
                setRange(asked, true);
            }
        }

        function onDoubleClick(panelId) {
            view.backAt = Date.now();
            if (view.back.length) {
                setRange(view.back.pop(), true);
            } else if (active()) {
                draw(panelId);  // nothing to go back to: the range as it was
            }
        }

        function bindZoom(panelId) {
            // Once per graph and Plotly instance: a new plot (Plotly.newPlot purges) is bound again.
            var gd = tools.graphDiv(panelId);
            if (!gd || !gd._ev || typeof gd.on !== "function") {
                return;
            }
            if (gd.__pulseboardZoom && gd._ev.listeners("plotly_relayout").indexOf(gd.__pulseboardZoom) >= 0) {
                return;
            }
            gd.__pulseboardZoom = function (data) { onRelayout(panelId, data); };
            gd.on("plotly_relayout", gd.__pulseboardZoom);
            gd.on("plotly_doubleclick", function () { onDoubleClick(panelId); });
        }

        function bindAll() {
            view.specs.forEach(function (spec, panelId) {
                if (spec.kind === "line") {
                    bindZoom(panelId);
                }
            });
        }

        function load(before) {
            // Every line panel's series over the range, two points a pixel of its graph.
            var generation = ++view.generation;
            var range = view.range;
            view.askedAt = root.performance.now();
            note(view.back.length ? "zoomed in: double-click a graph to go back" : "loading…");
            var panels = [];
            view.keys.forEach(function (keys, panelId) {
                if (isLine(panelId) && keys.length) {
                    panels.push(panelId);
                }
            });
            var reads = panels.map(function (panelId) {
                var points = R.points(plotWidth(panelId));
                var urls = R.historyUrls(base(), view.keys.get(panelId), range, points);
                return Promise.all(urls.map(fetchJson)).then(function (answers) {
                    return {panel: panelId, answers: answers};
                });
            });
            Promise.all(reads).then(function (found) {
                if (generation !== view.generation) {
                    return;  // a newer range was asked for meanwhile
                }
                view.answeredAt = root.performance.now();
                found.forEach(function (read) {
                    var traces = new Map();
                    read.answers.forEach(function (answer) {
                        view.bounds = [Date.parse(answer.from), Date.parse(answer.to)];
                        Object.keys(answer.series).forEach(function (key) {
                            traces.set(key, {x: answer.series[key].x, y: answer.series[key].y});
                        });
                    });
                    view.history.set(read.panel, traces);
                });
                view.loads += 1;
                note(view.back.length ? "zoomed in: double-click a graph to go back" : "");
                view.specs.forEach(function (spec, panelId) {
                    if (spec.kind === "line") {
                        draw(panelId);
                    }
                });
            }, function (error) {
                if (generation !== view.generation) {
                    return;
                }
                if (before !== undefined && before !== null) {
                    view.range = before;  // refused (a time the API cannot read): the URL keeps what is drawn
                    writeUrl(before);
                }
                note(error.message);
            });
        }

        function plotWidth(panelId) {
            // The pixels across the graph's plot area: the drawn graph's, else its panel's (not drawn yet).
            var gd = tools.graphDiv(panelId);
            var size = gd && gd._fullLayout && gd._fullLayout._size;
            if (size && size.w > 0) {
                return size.w;
            }
            // Less the line figure's side margins and the value axis's labels (live/dashboards/panels.py),
            // so the first answer is not over two points a pixel of the plot area either.
            var panel = root.document.getElementById(JSON.stringify({panel: panelId, type: "pb-panel"}));
            return panel ? Math.max(0, panel.clientWidth - SIDES_PX) : 0;
        }

        function fetchJson(url) {
            return root.fetch(url, {headers: {Accept: "application/json"}, cache: "no-store"}).then(function (answer) {
                return answer.json().then(function (body) {
                    if (!answer.ok) {
                        throw new Error(body.error || ("the history API answered " + answer.status));
                    }
                    return body;
                });
            });
        }

        function window_() {
            // [start, end] ms shown: the API's range, or for a sliding one its span ending now.
            if (!view.bounds) {
                return null;
            }
            if (!R.sliding(view.range)) {
                return view.bounds;
            }
            var span = view.bounds[1] - view.bounds[0];
            var end = Math.max(serverNow(), view.bounds[1]);
            return [end - span, end];
        }

        function draw(panelId) {
            // One Patch: the panel's traces (history, and the live tail when sliding) and both ranges.
            var shown = window_();
            var spec = view.specs.get(panelId);
            if (!shown || !spec || !page.settings) {
                return;
            }
            var history = view.history.get(panelId) || new Map();
            var sliding = R.sliding(view.range);
            var traces = (view.keys.get(panelId) || []).map(function (key) {
                var points = history.get(key) || {x: [], y: []};
                if (sliding) {
                    points = R.merge(points, view.live.get(key) || {x: [], y: []}, shown[0]);
                }
                var named = view.names.get(key) || {name: key, labels: {}};
                var trace = U.newTrace(page.settings.templates.trace, named.name, named.labels, points.x, points.y, key);
                trace.hovertemplate = spec.hover;
                return trace;
            });
            var values = R.extent(traces);
            var operations = [
                U.operation("Assign", ["data"], traces),
                U.operation("Assign", ["layout", "xaxis", "range"], shown),
                U.operation("Assign", ["layout", "yaxis", "range"], V.valueRange(spec, values.low, values.high))
            ];
            tools.setProps(tools.graphId(panelId), {
                figure: {__dash_patch_update: U.PATCH_KEY, operations: operations}, animate: false
            });
            view.draws += 1;
            bindZoom(panelId);
        }

        function slide() {
            if (!active() || !R.sliding(view.range) || !view.bounds) {
                return;
            }
            view.lastSlide = Date.now();
            view.specs.forEach(function (spec, panelId) {
                if (spec.kind === "line") {
                    draw(panelId);
                }
            });
        }

        function place(key, trace) {
            if (trace.name !== undefined) {
                view.names.set(key, {name: trace.name, labels: trace.labels || {}});
            }
            (trace.panels || []).forEach(function (panelId) {
                var keys = view.keys.get(panelId) || [];
                if (keys.indexOf(key) < 0) {
                    keys.push(key);
                    view.keys.set(panelId, keys);
                }
            });
        }

        function tailed() {
            // Live points are kept only for a sliding range: a live page or a past range needs none.
            return active() && R.sliding(view.range);
        }

        function keep(key, update) {
            // The live tail of a series, for a sliding range to join to its history.
            var tail = view.live.get(key) || {x: [], y: []};
            if (update.replace) {
                tail = {x: (update.x || []).slice(), y: (update.y || []).slice()};
            } else {
                Array.prototype.push.apply(tail.x, update.x || []);
                Array.prototype.push.apply(tail.y, update.y || []);
            }
            if (tail.x.length > LIVE_TAIL) {
                tail.x.splice(0, tail.x.length - LIVE_TAIL);
                tail.y.splice(0, tail.y.length - LIVE_TAIL);
            }
            view.live.set(key, tail);
        }

        function wrap(board) {
            var start = board.start, onReset = board.onReset, onFrame = board.onFrame, stop = board.stop;
            board.start = function (cursor) {
                start(cursor);
                view.specs = new Map((cursor.dashboardPanels || []).map(function (spec) { return [spec.id, spec]; }));
                clearInterval(view.timer);
                view.timer = setInterval(function () {
                    bindAll();
                    if (Date.now() - view.lastSlide >= SLIDE_MS) {
                        slide();
                    }
                }, SLIDE_MS);
                showRange();
            };
            board.onReset = function (reset) {
                onReset(reset);
                view.offset = reset.now ? reset.now - Date.now() : view.offset;
                view.keys = new Map();
                view.live = new Map();
                Object.keys(reset.traces).forEach(function (key) {
                    place(key, reset.traces[key]);
                    if (tailed()) {
                        keep(key, {x: reset.traces[key].x, y: reset.traces[key].y, replace: true});
                    }
                });
                bindAll();
                if (active()) {
                    load();
                }
            };
            board.onFrame = function (frame) {
                onFrame(frame);
                view.offset = frame.now ? frame.now - Date.now() : view.offset;
                var fresh = Object.keys(frame.new || {}).filter(function (key) {
                    var known = view.names.has(key);
                    place(key, frame.new[key]);
                    return !known;
                });
                var updates = frame.updates || {};
                if (tailed()) {
                    Object.keys(updates).forEach(function (key) {
                        keep(key, updates[key]);
                    });
                }
                if (active() && R.sliding(view.range) && (fresh.length || Object.keys(updates).length)) {
                    if (Date.now() - view.lastSlide >= SLIDE_MS) {
                        slide();
                    }
                }
            };
            board.stop = function () {
                clearInterval(view.timer);
                stop();
            };
            board.history = view;  // for whoever reads the page: tests
            return board;
        }

        return {view: view, tools: filtered, wrap: wrap, setRange: setRange};
    }

    Dashboard.create = function (page, tools) {
        var made = controller(page, tools);
        current = made;
        return made.wrap(original(page, made.tools));
    };

    function onClick(event) {
        var target = event.target;
        if (!current || !target || typeof target.closest !== "function") {
            return;
        }
        var preset = target.closest(".pb-range-preset");
        if (preset) {
            var from = preset.getAttribute("data-from") || "";
            current.setRange(from ? {from: from, to: preset.getAttribute("data-to") || "now"} : null, false);
            return;
        }
        var link = target.closest(".pb-export");
        if (link) {
            // Pointed at this panel's series and the range shown just before the browser follows it.
            var panelId = link.getAttribute("data-panel");
            var R = root.pulseboardRange;
            var base = root.pulseboard.settings.stream.replace(/\/api\/stream.*$/, "");
            link.href = R.exportUrl(base, current.view.keys.get(panelId) || [], current.view.range);
            link.setAttribute("download", "");
        }
    }

    function onSubmit(event) {
        var form = event.target;
        if (!current || !form || !form.classList || !form.classList.contains("pb-range-custom")) {
            return;
        }
        event.preventDefault();
        var from = (root.document.getElementById("pb-range-from").value || "").trim();
        var to = (root.document.getElementById("pb-range-to").value || "").trim() || "now";
        if (from) {
            current.setRange({from: from, to: to}, false);
        }
    }

    root.document.addEventListener("click", onClick, true);
    root.document.addEventListener("submit", onSubmit, true);
})(window);
