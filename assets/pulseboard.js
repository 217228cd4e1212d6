/* Pulseboard's browser side: one EventSource per tab; each frame's updates become one Dash
 * Patch per panel, handed to dash_clientside.set_props. Frames carry data only (which
 * points, how many to drop, each trace's extents: live/updates.py); the page places traces
 * in panels (one panel per series name, one trace per label set), themes them, and spells
 * the updates as Patch operations (pulseboard-updates.js, loaded first), which costs far
 * fewer bytes on the wire.
 *
 * An animated dcc.Graph queues one Plotly.animate per figure change and runs them one
 * after another, so patches arriving faster than an animation lasts pile up and the
 * chart falls further and further behind. So each panel takes at most one patch per
 * animation: updates that arrive meanwhile are merged into one, per trace.
 */
(function (root) {
    "use strict";

    var GRAPH_TYPE = "pb-graph";
    var SLOT_TYPE = "pb-slot";
    var THEMES = ["light", "dark"];
    var THEME_KEY = "pulseboard.theme";
    var U = root.pulseboardUpdates;

    function graphId(panel) {
        return {type: GRAPH_TYPE, panel: panel};
    }

    function slotId(panel) {
        return {type: SLOT_TYPE, panel: panel};
    }

    function slotDiv(panel) {
        return root.document.getElementById(JSON.stringify({panel: panel, type: SLOT_TYPE}));
    }

    function graphDiv(panel) {
        // Dash writes a dict id to the DOM as JSON with its keys sorted.
        var outer = root.document.getElementById(JSON.stringify({panel: panel, type: GRAPH_TYPE}));
        return outer && outer.querySelector(".js-plotly-plot");
    }

    function plotWidth(panel) {
        // A graph's plotting area in px, as Plotly last laid it out (0 before its first draw).
        var gd = graphDiv(panel);
        var size = gd && gd._fullLayout && gd._fullLayout._size;
        return size ? size.w : 0;
    }

    function setProps(id, props) {
        root.dash_clientside.set_props(id, props);
    }

    function settleHook(gd) {
        // A task later: by then dcc.Graph has started its next queued draw, if it has one.
        setTimeout(function () {
            if (gd.__pulseboardDrawing === 0 && gd.__pulseboardSettled) {
                gd.__pulseboardSettled();
            }
        }, 0);
    }

    function isAnimatedRange(data) {
        var keys = Object.keys(data);
        return keys.length > 0 && keys.every(function (key) {
            return /^[xy]axis[0-9]*\.range$/.test(key) && Array.isArray(data[key]);
        });
    }

    function quietAnimatedRanges(gd) {
        // Plotly.animate ends each axis animation with a relayout of the new ranges, as
        // {"xaxis.range": [...]} (a user's zoom says "xaxis.range[0]"). dcc.Graph copies a relayout
        // that differs from its figure prop back into the prop, as one more figure to draw; and
        // the prop differs whenever a newer patch is already in it. That copy is one more queued
        // draw per animation, and each queued draw holds a whole figure: the heap and the lag grew
        // without bound (BENCHMARKS.md). A patch that moves an axis carries its range, so the copy adds nothing.
        var emitter = gd && gd._ev;
        if (!emitter || emitter.__pulseboard) {
            return;
        }
        emitter.__pulseboard = true;
        var emit = emitter.emit;
        emitter.emit = function (name, data) {
            if (name === "plotly_relayout" && data && isAnimatedRange(data)) {
                return false;
            }
            return emit.apply(this, arguments);
        };
    }

    function hookPlotly() {
        // Plotly's events fire mid-animation (plotly_afterplot) or not at all (a graph still
        // mounting), so the graph counts as free when every Plotly call drawing it has settled.
        // Plotly is global and loads with the first graph, so this hooks once per page, for
        // every instance: the counts live on each graph's div.
        var plotly = root.Plotly;
        if (!plotly || plotly.__pulseboard) {
            return;
        }
        plotly.__pulseboard = true;
        ["animate", "react"].forEach(function (name) {
            var original = plotly[name];
            plotly[name] = function (gd) {
                if (!gd || typeof gd !== "object") {
                    return original.apply(this, arguments);
                }
                var settled = function () {
                    gd.__pulseboardDrawing -= 1;
                    settleHook(gd);
                };
                gd.__pulseboardDrawing = (gd.__pulseboardDrawing || 0) + 1;
                var result;
                try {
                    result = original.apply(this, arguments);
                } catch (error) {
                    settled();
                    throw error;
                }
                quietAnimatedRanges(gd);
                Promise.resolve(result).then(settled, settled);
                return result;
            };
        });
    }

    function pickTheme() {
        // ?theme=light|dark (a wall screen's URL, remembered as a choice), else the viewer's
        // last choice, else light.
        var asked = new URLSearchParams(root.location.search).get("theme");
        if (THEMES.indexOf(asked) >= 0) {
            save(asked);
            return asked;
        }
        var saved = readSaved();
        return THEMES.indexOf(saved) >= 0 ? saved : "light";
    }

    function readSaved() {
        try {
            return root.localStorage.getItem(THEME_KEY);
        } catch (error) {
            // Storage refused (a sandboxed frame, a privacy setting): no saved choice, then.
            return null;
        }
    }

    function save(theme) {
        try {
            root.localStorage.setItem(THEME_KEY, theme);
        } catch (error) {
            // Storage refused or full: the choice holds for this page only.
            return;
        }
    }

    function showTheme(theme) {
        root.document.documentElement.dataset.theme = theme;
    }

    function create(settings) {
        var page = {
            // Panels' draws, one a task: a panel given new traces can be a draw of 100 ms and more.
            tasks: root.PulseboardTasks.create(),
            settings: settings || null,
            theme: "light",
            source: null,
            lastId: null,
            db: null,
            frames: 0,
            merges: 0,            // updates merged into one waiting for a busy graph
            resets: 0,
            connects: 0,          // EventSources built
            opens: 0,             // streams opened, the browser's own reconnects included
            failures: 0,          // EventSources closed in a row since a stream last opened
            downSince: null,      // when the first of those closed
            panels: new Map(),    // series name -> {id, name, keys: [series key per trace index]}
            traces: new Map(),    // series key -> {panel, index, extents: [xr, yr]}
            // panel id -> its next patch: traces to append (keys, traces with their points), each
            // trace's merged update (key -> update), a theme's layout keys
            pending: new Map(),
            busy: new Map(),      // panel id -> fallback timer while its graph draws
            mounts: [],           // panels whose graph waits to be made, first come first
            mounted: 0
        };
        var panelIds = new Set();
        var byId = new Map();     // panel id -> panel
        // A panel's graph is made when its slot comes on screen, one a task; its patches wait
        // while it is off screen (pulseboard-onscreen.js says why).
        var onscreen = root.PulseboardOnscreen.create(slotDiv, function (ids) {
            ids.forEach(function (id) {
                var panel = byId.get(id);
                if (panel && panel.traces) {
                    queueMount(panel);
                } else if (panel) {
                    flush(panel);
                }
            });
        });

        function setStatus(state, text) {
            // The words, and a class the page colours by (pb-status-live, -reconnecting, -down, -ended).
            setProps("pb-status", {children: text || state, className: "pb-status pb-status-" + state});
        }

        function themeLayout() {
            var themes = page.settings && page.settings.themes;
            return themes ? themes[page.theme] : null;
        }

        function addPanel(name, id, traces) {
            // `traces` ({key, name, labels, x, y}): the points of a panel whose graph is not made yet.
            var panel = {id: id, name: name, keys: [], traces: traces};
            page.panels.set(name, panel);
            panelIds.add(id);
            byId.set(id, panel);
            return panel;
        }

        function queueMount(panel) {
            if (page.mounts.indexOf(panel) < 0) {
                page.mounts.push(panel);
            }
            if (page.mounts.length === 1) {
                setTimeout(mountNext, 0);
            }
        }

        function mountNext() {
            // One graph made per task, the first still on screen: making 50 in one task blocked the
            // page for 2-9 s (issue 13, finding 1); the page stays responsive between them.
            var index = page.mounts.findIndex(function (panel) { return onscreen.isShown(panel.id); });
            if (index < 0) {
                page.mounts = [];  // the rest went off screen: made when they come back
                return;
            }
            var panel = page.mounts.splice(index, 1)[0];
            mount(panel);
            if (page.mounts.length) {
                setTimeout(mountNext, 0);
            }
        }

        function mount(panel) {
            // The graph, made already holding its traces' points, in the viewer's theme; it counts as
            // busy, as after a patch, until its first draw has settled.
            var templates = page.settings.templates;
            var figure = U.panelFigure(templates.figure, templates.trace, panel.name, panel.traces, themeLayout());
            var waiting = page.pending.get(panel.id);
            if (waiting) {
                waiting.layout = null;  // the figure is in the theme already
            }
            panel.traces = null;
            panel.xRange = figure.layout.xaxis.range;  // the axes it is made with: the next patch moves them from there
            panel.yRange = figure.layout.yaxis.range;
            page.mounted += 1;
            hold(panel);
            setProps(slotId(panel.id), {children: {type: "Graph", namespace: "dash_core_components",
                props: Object.assign({}, page.settings.graph, {id: graphId(panel.id), figure: figure})}});
            hookPlotly();
        }

        function nextPanelId() {
            // p0, p1, ... in page order; never a series name (Dash's renderer breaks on dict ids
            // with "." in a value, and series names have dots).
            var n = panelIds.size;
            while (panelIds.has("p" + n)) {
                n += 1;
            }
            return "p" + n;
        }

        function addTrace(panel, key, extents) {
            page.traces.set(key, {panel: panel, index: panel.keys.length, extents: extents || [null, null]});
            panel.keys.push(key);
        }

        function pendingOf(panel) {
            var waiting = page.pending.get(panel.id);
            if (!waiting) {
                waiting = {traces: [], keys: [], updates: new Map(), layout: null};
                page.pending.set(panel.id, waiting);
            }
            return waiting;
        }

        function release(panel) {
            clearTimeout(page.busy.get(panel.id));
            page.busy.delete(panel.id);
            flush(panel);
        }

        function hold(panel) {
            // Free again even if no Plotly call draws the patch (a graph still mounting), but never
            // while one is drawing (a hidden tab pauses animations): a second patch would queue
            // behind it in dcc.Graph, a whole figure each; meanwhile updates merge here instead.
            var gd = graphDiv(panel.id);
            if (gd) {
                gd.__pulseboardSettled = function () { release(panel); };
            }
            var fallback = 3 * page.settings.graph.animation_options.transition.duration + 500;
            var check = function () {
                var drawing = graphDiv(panel.id);
                if (drawing && drawing.__pulseboardDrawing > 0) {
                    page.busy.set(panel.id, setTimeout(check, fallback));
                } else {
                    release(panel);
                }
            };
            page.busy.set(panel.id, setTimeout(check, fallback));
        }

        function settleAxes(panel, x, y) {
            // The axes a patch moves: as the dashboards' panels (pulseboard-dashboard.js plot),
            // time in steps of a few pixels and values only when they outgrow the drawn range.
            var V = root.pulseboardView;
            var nextX = V.steppedRange(panel.xRange, x, plotWidth(panel.id));
            var nextY = V.steadyRange(panel.yRange, y);
            var moved = {x: nextX === panel.xRange ? null : nextX, y: nextY === panel.yRange ? null : nextY};
            panel.xRange = nextX;
            panel.yRange = nextY;
            return moved;
        }

        function flush(panel) {
            var waiting = page.pending.get(panel.id);
            if (!waiting || page.busy.has(panel.id) || panel.traces || !onscreen.isShown(panel.id)) {
                return;  // drawn once its graph is free, made, and on screen
            }
            page.pending.delete(panel.id);
            hookPlotly();
            var updates = [];
            waiting.updates.forEach(function (update, key) {
                updates.push([page.traces.get(key).index, update]);
            });
            var extents = panel.keys.map(function (key) { return page.traces.get(key).extents; });
            var patch = U.graphPatch(updates, extents, waiting.traces, function (x, y) {
                return settleAxes(panel, x, y);
            });
            if (waiting.layout) {
                patch.operations = patch.operations.concat(U.themePatch(waiting.layout).operations);
            }
            hold(panel);
            // Plotly.animate never draws a layout-only change (measured on Dash 4.4.1), so a
            // patch carrying a theme is drawn without animation; the next one turns it back on.
            setProps(graphId(panel.id), {figure: patch, animate: !waiting.layout});
        }

        function enqueue(key, update) {
            var trace = page.traces.get(key);
            if (!trace) {
                return;  // no panel to draw it in: a frame names a trace's series once, under "new"
            }
            if ("xr" in update || "yr" in update) {
                trace.extents = [update.xr, update.yr];
            }
            if (trace.panel.traces) {
                // Its graph is not made yet: the update goes into the points it will be made with.
                var points = trace.panel.traces[trace.index];
                trace.panel.traces[trace.index] = U.applyUpdate(points, update);
                return;
            }
            var waiting = pendingOf(trace.panel);
            var added = waiting.keys.indexOf(key);
            if (added >= 0) {
                // A trace not drawn yet: its update goes into the trace the Append will carry.
                page.merges += 1;
                waiting.traces[added] = U.applyUpdate(waiting.traces[added], update);
            } else {
                var older = waiting.updates.get(key);
                if (older) {
                    page.merges += 1;
                }
                waiting.updates.set(key, older ? U.merge(older, update, page.settings.window) : update);
            }
            var panel = trace.panel;
            page.tasks.add(panel.id, function () { flush(panel); });
        }

        function appendTrace(panel, trace) {
            // A new label set of a known name: one more trace in that name's panel, appended
            // to its data, points and all, by the panel's next Patch.
            addTrace(panel, trace.key, [trace.update.xr, trace.update.yr]);
            if (panel.traces) {
                panel.traces.push(trace);  // made with the graph
                return;
            }
            var waiting = pendingOf(panel);
            var empty = U.newTrace(page.settings.templates.trace, trace.name, trace.labels, [], [], trace.key);
            waiting.keys.push(trace.key);
            waiting.traces.push(U.applyUpdate(empty, trace.update));
            flush(panel);
        }

        function createPanel(name, traces) {
            // A new series name: a new panel in the next free slot, its graph made with its traces'
            // points once the slot is on screen. Only the slot changes: appending to pb-graphs made
            // Dash's renderer remount every graph already there (BENCHMARKS.md, "Many series").
            var panel = addPanel(name, nextPanelId(), traces);
            traces.forEach(function (trace) {
                addTrace(panel, trace.key, [trace.xr, trace.yr]);
            });
            setProps(slotId(panel.id), {className: "pb-slot pb-used"});
            watchSoon(panel);
        }

        function watchSoon(panel) {
            // Its slot is laid out by the next frame; watched from then on.
            root.requestAnimationFrame(function () { watch(panel); });
        }

        function watch(panel) {
            // Made when the observer sees it on screen; at once where nothing can tell.
            if (panel.traces && onscreen.isShown(panel.id)) {
                queueMount(panel);
            }
        }

        function place(traces) {
            // Traces the page has not drawn yet ({key, name, labels, x, y, xr, yr, update}: their
            // points, and the update that makes them from none): new names make panels, new label
            // sets of known names join their name's panel.
            var fresh = new Map();
            traces.forEach(function (trace) {
                var panel = page.panels.get(trace.name);
                if (panel) {
                    appendTrace(panel, trace);
                } else {
                    fresh.set(trace.name, (fresh.get(trace.name) || []).concat([trace]));
                }
            });
            fresh.forEach(function (named, name) {
                createPanel(name, named);
            });
        }

        function onFrame(event) {
            if (page.waiting) {
                page.waiting.push(event);  // a dashboard being drawn again: applied once it is
                return;
            }
            var frame = JSON.parse(event.data);
            var updates = frame.updates || {};
            page.lastId = event.lastEventId;
            page.frames += 1;
            if (page.board) {
                page.board.onFrame(frame);
                return;
            }
            var added = [];
            Object.keys(frame.new || {}).forEach(function (key) {
                if (page.traces.has(key)) {
                    return;
                }
                var update = updates[key] || {};
                var trace = U.applyUpdate({x: [], y: []}, update);
                added.push({key: key, name: frame.new[key].name, labels: frame.new[key].labels,
                    x: trace.x, y: trace.y, xr: update.xr, yr: update.yr, update: update});
            });
            place(added);
            var placed = new Set(added.map(function (trace) { return trace.key; }));
            Object.keys(updates).forEach(function (key) {
                if (!placed.has(key)) {
                    enqueue(key, updates[key]);
                }
            });
        }

        function onReset(event) {
            if (page.waiting) {
                page.waiting.push(event);
                return;
            }
            var reset = JSON.parse(event.data);
            if (reset.db && page.db && reset.db !== page.db) {
                // The database was replaced: its series and ids are not ours. Its panels, and
                // this EventSource's ?db=, would be stale; the page starts over from the layout.
                page.source.close();
                root.location.reload();
                return;
            }
            page.lastId = event.lastEventId;
            page.resets += 1;
            page.db = reset.db || page.db;
            if (page.board) {
                page.board.onReset(reset);
                return;
            }
            var added = [];
            Object.keys(reset.traces).forEach(function (key) {
                var trace = reset.traces[key];
                // Each trace's whole window, assigned; merged like any update if its graph is busy.
                var update = {x: trace.x, y: trace.y, replace: true, mode: U.traceMode(trace.x.length),
                    xr: trace.xr, yr: trace.yr};
                if (page.traces.has(key)) {
                    enqueue(key, update);
                } else {
                    added.push(Object.assign({key: key, update: update}, trace));
                }
            });
            place(added);
        }

        function showError(error) {
            // Why the dashboards file on disk is not in force; the last good one stays on screen.
            setProps("pb-error", {hidden: !error, children: {
                type: "Pre", namespace: "dash_html_components", props: {children: error || ""}
            }});
        }

        function onDashboards(event) {
            // The dashboards file changed: show its error, or draw this dashboard's panels again.
            // The stream follows with a reset of the new selection; frames wait until the new
            // panels are on the page (page.rebuilt), so the stream position is never lost.
            var change = JSON.parse(event.data);
            page.dashboardsVersion = change.version;
            showError(change.error);
            if (!change.changed || !page.board) {
                return;
            }
            page.waiting = page.waiting || [];
            setProps("pb-rebuild", {data: {version: change.version}});
            clearTimeout(page.rebuildTimer);
            page.rebuildTimer = setTimeout(function () {
                if (page.waiting) {
                    root.location.reload();  // the server never answered with the new panels
                }
            }, 30000);
        }

        function clock(date) {
            var pad = function (n) { return (n < 10 ? "0" : "") + n; };
            return pad(date.getHours()) + ":" + pad(date.getMinutes());
        }

        function streamUrl() {
            var query = "db=" + encodeURIComponent(page.db);
            if (page.playlist) {
                query += "&playlist=" + encodeURIComponent(page.playlist);  // every dashboard it rotates
            } else if (page.dashboard) {
                query += "&dashboard=" + encodeURIComponent(page.dashboard);
            } else if (page.page > 1) {
                query += "&page=" + page.page;  // a page of the automatic dashboard: its names only
            }
            if (page.lastId !== null && page.lastId !== "") {
                query += "&after=" + encodeURIComponent(page.lastId);
            }
            return page.settings.stream + (page.settings.stream.indexOf("?") < 0 ? "?" : "&") + query;
        }

        function open() {
            var source = new root.EventSource(streamUrl());
            page.source = source;
            page.connects += 1;
            source.addEventListener("frame", onFrame);
            source.addEventListener("reset", onReset);
            source.addEventListener("dashboards", onDashboards);
            source.onopen = function () {
                page.opens += 1;
                page.failures = 0;
                page.downSince = null;
                page.signedOut = false;
                page.retrying = false;
                setStatus("live");
            };
            source.onerror = function () {
                if (source.readyState !== root.EventSource.CLOSED) {
                    // The browser retries by itself, at the server's retry:, for as long as the server
                    // is down (connection refused): past its first failed retry, say since when.
                    page.downSince = page.downSince || new Date();
                    if (page.retrying) {
                        setStatus("down", "server unreachable since " + clock(page.downSince));
                    } else {
                        setStatus("reconnecting");
                    }
                    page.retrying = true;
                    return;
                }
                // The browser gives up for good after a non-200 answer (a proxy's 502 during a
                // deploy, a 401 after a password change): build a new EventSource, resuming from
                // the last id, after a backoff: each attempt may cost the server a password hash.
                source.close();
                page.downSince = page.downSince || new Date();
                showDown();
                probe(source);
                var delay = U.backoffDelay(page.failures, Math.random());
                page.failures += 1;
                setTimeout(function () { if (page.source === source) { open(); } }, delay);
            };
        }

        function showDown() {
            if (page.signedOut) {
                setStatus("signed-out", "signed out");
            } else {
                setStatus("down", "server unreachable since " + clock(page.downSince));
            }
        }

        function probe(source) {
            // An EventSource never sees why it failed: ask once, without opening a stream, whether
            // the server wants a login (401: the password changed) or was away (issue 13).
            if (!root.fetch) {
                return;
            }
            root.fetch(streamUrl(), {method: "HEAD", headers: {Accept: "text/event-stream"}, cache: "no-store"})
                .then(function (answer) { return answer.status === 401; }, function () { return false; })
                .then(function (signedOut) {
                    page.signedOut = signedOut;
                    if (page.source === source) {
                        showDown();  // unless a new stream has been built since: it says its own state
                    }
                });
        }

        function tools() {
            return {setProps: setProps, graphDiv: graphDiv, plotWidth: plotWidth, hookPlotly: hookPlotly,
                graphId: graphId, onscreen: root.PulseboardOnscreen, tasks: root.PulseboardTasks};
        }

        page.connect = function (cursor, settingsNow) {
            // Start from where the load callback's graphs stand (pb-cursor): its panels, their
            // traces in order with their extents, the event id and the database. A dashboard's
            // panels start empty: the stream's first event, a reset of its series, fills them.
            page.settings = settingsNow || page.settings;
            page.db = cursor.db;
            if (cursor.dashboard || cursor.playlist) {
                page.dashboard = cursor.dashboard;
                page.playlist = cursor.playlist ? cursor.playlist.join(",") : null;
                page.board = root.PulseboardDashboard.create(page, tools());
                page.board.start(cursor);
                open();
                return;
            }
            page.lastId = String(cursor.after);
            page.page = cursor.page || 1;
            (cursor.panels || []).forEach(function (entry) {
                // Its traces' points come with it; its graph is made when its slot is on screen.
                var panel = addPanel(entry.name, entry.id, entry.data);
                entry.traces.forEach(function (key, index) {
                    addTrace(panel, key, (entry.extents || [])[index]);
                });
                watch(panel);
            });
            open();
        };

        page.rebuilt = function (cursor) {
            // The dashboard's new panels are on the page: fill them from the events that waited.
            var waiting = page.waiting || [];
            page.waiting = null;
            clearTimeout(page.rebuildTimer);
            if (page.board) {
                page.board.stop();
            }
            if (!cursor || !(cursor.dashboard || cursor.playlist)) {
                page.source.close();  // the dashboard left the file
                page.board = null;
                setStatus("ended", "dashboard removed");
                return;
            }
            page.board = root.PulseboardDashboard.create(page, tools());
            page.board.start(cursor);
            waiting.forEach(function (event) {
                (event.type === "reset" ? onReset : onFrame)(event);
            });
        };

        page.setTheme = function (theme, settingsNow) {
            // Every panel's layout patched with the theme's keys, in the panel's next patch (at
            // once when its graph is free: a patch sent to a busy graph queues one more whole
            // figure behind its draw). Panels made later are themed as they are made.
            if (THEMES.indexOf(theme) < 0 || theme === page.theme) {
                return;
            }
            page.settings = page.settings || settingsNow || null;
            page.theme = theme;
            showTheme(theme);
            save(theme);
            var layout = themeLayout();
            if (!layout) {
                return;
            }
            if (page.board) {
                page.board.relayout(layout);
                return;
            }
            page.panels.forEach(function (panel) {
                if (!panel.traces) {  // a graph not made yet is made in the theme
                    pendingOf(panel).layout = layout;
                    flush(panel);
                }
            });
        };

        page.onFrame = onFrame;
        page.onReset = onReset;
        return page;
    }

    var page = create(null);
    page.theme = pickTheme();
    showTheme(page.theme);

    root.Pulseboard = {create: create};
    root.pulseboard = page;
    root.dash_clientside = Object.assign({}, root.dash_clientside, {
        pulseboard: {
            initialTheme: function () {
                // Into pb-theme (the control) and pb-theme-init (the load callback's Input,
                // so the first figures come in the viewer's theme).
                return [page.theme, page.theme];
            },
            setTheme: function (theme, settings) {
                page.setTheme(theme, settings);
                return root.dash_clientside.no_update;
            },
            connect: function (cursor, settings) {
                if (page.source && page.waiting) {
                    page.rebuilt(cursor);  // drawn again after an edit of the dashboards file
                    return root.dash_clientside.no_update;
                }
                if (!cursor || !Object.keys(cursor).length || page.source) {
                    return root.dash_clientside.no_update;
                }
                page.connect(cursor, settings);
                return "connecting";
            }
        }
    });
})(window);
