/* Looking back on a dashboard's page: its panels drawn from GET /api/history over the range in
 * the URL, zoom by dragging, the live tail merged in, and back to live (effects).
 *
 * No range in the URL: the page is live, as it always was, and nothing here draws. With one
 * (?from=now-6h&to=now, or absolute), every line panel is drawn from the history API over that
 * range (two points a pixel, every spike kept: live/downsample.py); a range ending at now keeps
 * sliding with the server's clock, live points joined to the history's end (pulseboard-range.js
 * merge), its stat and gauge panels live as ever; a range in the past stays still whatever
 * arrives, its stats and gauges showing the value in force at its end. Dragging across a graph's
 * time narrows the range for every panel and the URL; a double-click goes back to the range
 * before, and from the first zoom of a live page, back to live.
 *
 * Hooked in without touching the dashboard's own script: PulseboardDashboard.create (loaded
 * first: "-d" < "-h") is wrapped, so this file sees the panels' series in each reset and frame,
 * and, while a range is shown, keeps the board's own patches off the panels it draws (theme and
 * size patches still pass). The board goes on keeping every panel's points meanwhile, so going
 * back to live hands the panels back to it with no reload. The picker and the URL's controls:
 * pulseboard-picker.js; pure parts: pulseboard-range.js.
 */
(function (root) {
    "use strict";

    var GRAPH_TYPE = "pb-graph";
    var LIVE_TAIL = 20000;     // live points kept per series for a sliding range
    var SLIDE_MS = 1000;       // a sliding range moves on once a second
    var BACK_MS = 1000;        // how long after a double-click Plotly's own relayout may come
    var SIDES_PX = 80;         // a panel's width that is not its plot area, before its graph is drawn
    var STILL_POINTS = 10;     // a gauge draws no line: the fewest points the API gives
    var Dashboard = root.PulseboardDashboard;
    if (!Dashboard) {
        return;
    }
    var original = Dashboard.create;
    var shared = root.PulseboardHistory = {current: null, onShow: null};

    function controller(page, tools) {
        var R = root.pulseboardRange;
        var U = root.pulseboardUpdates;
        var V = root.pulseboardView;
        var board = null;         // the dashboard's own controller, once wrapped
        var view = {
            range: R.fromSearch(root.location.search),
            back: [],             // the ranges before each zoom, for double-click
            specs: new Map(),     // panel id -> its settings
            keys: new Map(),      // panel id -> series keys drawn in it
            names: new Map(),     // series key -> {name, labels}
            live: new Map(),      // series key -> {x, y}: points seen live since the page's reset
            history: new Map(),   // panel id -> Map(series key -> {x, y, first, last}) as the API answered
            bounds: null,         // [start, end] ms the API answered for
            offset: 0,            // server's clock minus this browser's, ms
            generation: 0,        // loads started; an answer to an older one is dropped
            loads: 0,             // loads finished and drawn (for tests)
            draws: 0,
            held: 0,              // the board's patches kept off line panels (for tests)
            askedAt: 0,           // performance.now() when the newest load began, and when it was answered
            answeredAt: 0,        // (for the page benchmark: benchmarks/history_page.py)
            lastSlide: 0,
            backAt: 0,            // when a graph was last double-clicked
            timer: null,
            note: ""              // what the picker says of the range: loading, zoomed, a refusal
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

        function kindOf(panelId) {
            var spec = view.specs.get(panelId);
            return spec ? spec.kind : null;
        }

        function drawn(panelId) {
            // Whether this file draws the panel now: a line panel in any range, a stat or gauge in a past one.
            var kind = kindOf(panelId);
            return active() && (kind === "line" || (kind !== null && R.still(view.range)));
        }

        var filtered = Object.assign({}, tools, {
            setProps: function (id, props) {
                if (id && id.type === GRAPH_TYPE && props.figure && kindOf(id.panel) === "line" && active()) {
                    var operations = (props.figure.operations || []).filter(R.keepOperation);
                    view.held += 1;
                    if (!operations.length) {
                        return;
                    }
                    props = Object.assign({}, props, {
                        figure: Object.assign({}, props.figure, {operations: operations}), animate: false
                    });
                } else if (R.stillPart(id) && kindOf(id.panel) !== "line" && drawn(id.panel)) {
                    view.held += 1;
                    return;  // a still stat or gauge shows the range's end, not the newest point
                }
                tools.setProps(id, props);
            }
        });

        function say(text) {
            view.note = text || "";
            if (shared.onShow) {
                shared.onShow(made);
            }
        }

        function zoomNote() {
            return view.back.length ? "zoomed in: double-click a graph to go back" : "";
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
                goLive();
                return;
            }
            if (R.still(before) && !R.still(range)) {
                handBack(function (spec) { return spec.kind !== "line"; });  // stats and gauges live again
            }
            say(zoomNote());
            load(before);
        }

        function writeUrl(range) {
            var url = root.location.pathname + R.withRange(root.location.search, range) + root.location.hash;
            root.history.replaceState(root.history.state, "", url);
        }

        function goLive() {
            // Live again, without a reload: the board kept every panel's points meanwhile.
            view.generation += 1;  // an answer still on its way is not drawn
            view.history = new Map();
            view.bounds = null;
            view.live = new Map();
            handBack(function () { return true; });
            say("");
        }

        function handBack(which) {
            // The panels `which` picks go back to the board: each graph emptied, and the board told
            // to draw it whole, from its own points, at its next tick (texts too: it skips a text it
            // believes shown).
            if (!board) {
                return;
            }
            board.panels.forEach(function (panel) {
                if (!which(panel.spec)) {
                    return;
                }
                if (panel.spec.kind !== "gauge") {
                    tools.setProps(tools.graphId(panel.id), {
                        figure: {__dash_patch_update: U.PATCH_KEY, operations: [U.operation("Assign", ["data"], [])]},
                        animate: false
                    });
                }
                panel.drawn = 0;
                panel.plotted = false;
                panel.shown = {};
                panel.dirty = true;
                panel.data.forEach(function (points) {
                    points.whole = true;
                    points.pending = null;
                });
            });
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
            // Every panel drawn here: its series over the range, two points a pixel of its graph.
            var generation = ++view.generation;
            var range = view.range;
            view.askedAt = root.performance.now();
            say(view.back.length ? zoomNote() : "loading…");
            var panels = [];
            view.keys.forEach(function (keys, panelId) {
                if (drawn(panelId) && keys.length) {
                    panels.push(panelId);
                }
            });
            var reads = panels.map(function (panelId) {
                var line = kindOf(panelId) === "line";
                var keys = line ? view.keys.get(panelId) : view.keys.get(panelId).slice(0, 1);
                var points = kindOf(panelId) === "gauge" ? STILL_POINTS : R.points(plotWidth(panelId));
                return Promise.all(R.historyUrls(base(), keys, range, points).map(fetchJson)).then(function (answers) {
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
                            traces.set(key, answer.series[key]);
                        });
                    });
                    view.history.set(read.panel, traces);
                });
                view.loads += 1;
                say(zoomNote());
                view.specs.forEach(function (spec, panelId) {
                    if (drawn(panelId)) {
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
                say(error.message);
            });
        }

        function plotWidth(panelId) {
            // The pixels across the graph's plot area: the drawn graph's, else its panel's less its sides.
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
            if (spec.kind !== "line") {
                drawStill(panelId, spec, shown);
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
            patch(panelId, [
                U.operation("Assign", ["data"], traces),
                U.operation("Assign", ["layout", "xaxis", "range"], shown),
                U.operation("Assign", ["layout", "yaxis", "range"], V.valueRange(spec, values.low, values.high))
            ]);
            bindZoom(panelId);
        }

        function drawStill(panelId, spec, shown) {
            // A stat or gauge in a past range: the value in force at the range's end (the API's `last`,
            // stored, not a bucket's extreme), a stat's change over the range and its sparkline.
            var answer = (view.history.get(panelId) || new Map()).get((view.keys.get(panelId) || [])[0]);
            var last = answer && answer.last ? answer.last : null;
            var value = last ? last[1] : null;
            var color = value === null ? null : V.thresholdColor(value, spec.thresholds);
            part("pb-value", panelId, {children: V.formatValue(value, spec.decimals, spec.unit), style: color ? {color: color} : {}});
            part("pb-age", panelId, {children: R.ageAtEnd(last ? last[0] : null, shown[1], V.formatAge)});
            part("pb-panel", panelId, {className: "pb-panel pb-kind-" + spec.kind});
            if (spec.kind === "gauge") {
                part("pb-gauge", panelId, {style: {"--pb-fill": V.gaugeFraction(value, spec), "--pb-color": color || "var(--pb-accent)"}});
                return;
            }
            var first = answer && answer.first ? answer.first[1] : null;
            part("pb-change", panelId, {children: V.formatChange(first, value, spec.decimals, spec.unit)});
            var points = answer || {x: [], y: []};
            var gd = tools.graphDiv(panelId);
            // The board's own sparkline trace, its points swapped: its look stays the board's.
            var look = gd && gd.data && gd.data[0] ? gd.data[0] : {type: "scatter", mode: "lines", fill: "tozeroy"};
            var values = R.extent([points]);
            patch(panelId, [
                U.operation("Assign", ["data"], [Object.assign({}, look, {x: points.x, y: points.y})]),
                U.operation("Assign", ["layout", "xaxis", "range"], shown),
                U.operation("Assign", ["layout", "yaxis", "range"], V.valueRange({}, values.low, values.high))
            ]);
        }

        function part(kind, panelId, props) {
            tools.setProps({type: kind, panel: panelId}, props);
        }

        function patch(panelId, operations) {
            tools.setProps(tools.graphId(panelId), {
                figure: {__dash_patch_update: U.PATCH_KEY, operations: operations}, animate: false
            });
            view.draws += 1;
        }

        function dragging() {
            // Whether a graph is being dragged across: a redraw then would cut the user's zoom short.
            var found = false;
            view.specs.forEach(function (spec, panelId) {
                var gd = spec.kind === "line" ? tools.graphDiv(panelId) : null;
                found = found || !!(gd && gd._dragging);
            });
            return found;
        }

        function slide() {
            if (!active() || !R.sliding(view.range) || !view.bounds || dragging()) {
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

        function wrap(wrapped) {
            board = wrapped;
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
                say("");
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
                if (tailed() && (fresh.length || Object.keys(updates).length)) {
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

        var made = {view: view, tools: filtered, wrap: wrap, setRange: setRange};
        return made;
    }

    Dashboard.create = function (page, tools) {
        var made = controller(page, tools);
        shared.current = made;
        return made.wrap(original(page, made.tools));
    };
})(window);
