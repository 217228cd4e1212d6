/* Looking back on a dashboard's page: the range in the URL, whose panels this draws, the board's
 * patches kept off them, the live tail, and back to live (effects).
 *
 * No range in the URL: the page is live, as it always was, and nothing here draws. With one
 * (?from=now-6h&to=now, or absolute), every line panel is drawn from the history API over that
 * range (two points a pixel, every spike kept: live/downsample.py); a range ending at now keeps
 * sliding with the server's clock, live points joined to the history's end, its stat and gauge
 * panels live as ever; a range in the past stays still whatever arrives, its stats and gauges
 * showing the value in force at its end.
 *
 * Hooked in without touching the dashboard's own script: PulseboardDashboard.create (loaded
 * first: "-d" < "-h") is wrapped, so this file sees the panels' series in each reset and frame,
 * and, while a range is shown, keeps the board's own patches off the panels it draws (theme and
 * size patches still pass). The board goes on keeping every panel's points meanwhile, so going
 * back to live hands the panels back to it, with no reload.
 *
 * The controller `c` made here for each board is completed by its parts, one concept a file
 * (loaded before this one: "history-" < "history."): pulseboard-history-load.js (the reads),
 * -draw.js (the drawing, the sliding), -zoom.js (drag and double-click). The picker and the CSV
 * link: pulseboard-picker.js; pure parts: pulseboard-range.js.
 */
(function (root) {
    "use strict";

    var GRAPH_TYPE = "pb-graph";
    var LIVE_TAIL = 20000;  // live points kept per series for a sliding range
    var SLIDE_MS = 1000;    // a sliding range moves on at most once a second (pulseboardRange.slideEvery)
    var Dashboard = root.PulseboardDashboard;
    if (!Dashboard) {
        return;
    }
    var original = Dashboard.create;
    var shared = root.PulseboardHistory = {current: null, onShow: null};

    function controller(page, tools) {
        var R = root.pulseboardRange;
        var U = root.pulseboardUpdates;
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
            pending: false,       // the newest load is not answered yet
            loads: 0,             // loads finished and drawn (for tests)
            draws: 0,
            held: 0,              // the board's patches kept off the panels drawn here (for tests)
            askedAt: 0,           // performance.now() when the newest load began, and when it was answered
            answeredAt: 0,        // (for the page benchmark: benchmarks/history_page.py)
            startedAt: 0,         // performance.now() when the board started (the page benchmark: Dash's boot)
            lastSlide: 0,
            fresh: false,         // live points came since the range was last drawn
            backAt: 0,            // when a graph was last double-clicked
            timer: null,
            note: ""              // what the picker says of the range: loading, zoomed, a refusal
        };
        var c = {page: page, tools: tools, view: view, SLIDE_MS: SLIDE_MS};

        c.active = function () {
            return view.range !== null;
        };

        c.serverNow = function () {
            return Date.now() + view.offset;
        };

        c.base = function () {
            return page.settings.stream.replace(/\/api\/stream.*$/, "");
        };

        c.kindOf = function (panelId) {
            var spec = view.specs.get(panelId);
            return spec ? spec.kind : null;
        };

        c.drawn = function (panelId) {
            // Whether this file draws the panel now: a line panel in any range, a stat or gauge in a past one.
            var kind = c.kindOf(panelId);
            return c.active() && (kind === "line" || (kind !== null && R.still(view.range)));
        };

        c.say = function (text) {
            view.note = text || "";
            if (shared.onShow) {
                shared.onShow(c);
            }
        };

        c.zoomNote = function () {
            return view.back.length ? "zoomed in: double-click a graph to go back" : "";
        };

        c.writeUrl = function (range) {
            var url = root.location.pathname + R.withRange(root.location.search, range) + root.location.hash;
            root.history.replaceState(root.history.state, "", url);
        };

        c.setRange = function (range, zoomed) {
            // A new range for the whole page: into the URL (a link shows the same), then drawn.
            if (!zoomed) {
                view.back = [];
            }
            var before = view.range;
            view.range = range;
            c.writeUrl(range);
            if (range === null) {
                goLive();
                return;
            }
            if (R.still(before) && !R.still(range)) {
                handBack(function (spec) { return spec.kind !== "line"; });  // stats and gauges live again
                forgetShown();  // and every panel's age and stale mark
            }
            c.say(c.zoomNote());
            c.load(before);
        };

        function goLive() {
            // Live again, without a reload: the board kept every panel's points meanwhile.
            view.generation += 1;  // an answer still on its way is not drawn
            view.pending = false;
            view.history = new Map();
            view.bounds = null;
            view.live = new Map();
            handBack(function () { return true; });
            forgetShown();
            c.say("");
        }

        function forgetShown() {
            // The board skips a text it believes shown: what it showed while held was not.
            board.panels.forEach(function (panel) {
                panel.shown = {};
            });
        }

        function handBack(which) {
            // The panels `which` picks go back to the board: each graph emptied, and the board told
            // to draw it whole, from its own points, at its next tick.
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
                board.forget(panel);
            });
        }

        // What the board draws goes through here: kept off the panels drawn from history.
        var filtered = Object.assign({}, tools, {
            setProps: function (id, props) {
                if (id && id.type === GRAPH_TYPE && props.figure && c.kindOf(id.panel) === "line" && c.active()) {
                    var operations = (props.figure.operations || []).filter(R.keepOperation);
                    view.held += 1;
                    if (!operations.length) {
                        return;
                    }
                    props = Object.assign({}, props, {
                        figure: Object.assign({}, props.figure, {operations: operations}), animate: false
                    });
                } else if (R.stillPart(id) && c.drawn(id.panel) && R.still(view.range)) {
                    view.held += 1;
                    return;  // a still panel's value, age and stale mark are the range end's, not now's
                }
                tools.setProps(id, props);
            }
        });

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
            return c.active() && R.sliding(view.range);
        }

        function keep(key, update) {
            view.live.set(key, R.keepTail(view.live.get(key) || {x: [], y: []}, update, LIVE_TAIL));
        }

        c.wrap = function (wrapped) {
            board = wrapped;
            var start = board.start, onReset = board.onReset, onFrame = board.onFrame, stop = board.stop;
            board.start = function (cursor) {
                start(cursor);
                view.startedAt = view.startedAt || root.performance.now();
                view.specs = new Map((cursor.dashboardPanels || []).map(function (spec) { return [spec.id, spec]; }));
                clearInterval(view.timer);
                view.timer = setInterval(function () {
                    c.bindAll();
                    if (tailed() && c.slideDue()) {
                        c.slide();
                    }
                }, SLIDE_MS);
                c.say("");
                if (c.active()) {
                    c.load();  // now: the server places the series as for the stream, whose reset comes later
                }
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
                c.bindAll();
                if (c.active() && !c.covered()) {
                    c.load();  // a series the asked panels now draw that the answer had not
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
                    view.fresh = true;
                    if (Date.now() - view.lastSlide >= SLIDE_MS) {
                        c.slide();
                    }
                }
            };
            board.stop = function () {
                clearInterval(view.timer);
                stop();
            };
            board.history = view;  // for whoever reads the page: tests
            return board;
        };

        (root.PulseboardHistoryParts || []).forEach(function (part) { part(c); });
        c.boardTools = filtered;
        return c;
    }

    Dashboard.create = function (page, tools) {
        if (page.playlist) {
            shared.current = null;  // a playlist is live only (live/range_bar.py): a drag zooms one graph, as Plotly's
            return original(page, tools);
        }
        var c = controller(page, tools);
        shared.current = c;
        return c.wrap(original(page, c.boardTools));
    };
})(window);
