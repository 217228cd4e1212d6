/* LiveGraph's page script (pulseboard/livegraph.py): one stream per Pulseboard for every
 * LiveGraph on the page, each graph handed a Patch() per frame.
 *
 * The graphs are found by their data-pb-* attributes whenever the page changes (Dash draws
 * layouts after this script runs, and pages come and go). The stream asks for the union of
 * their series (?series=a&series=b), so the server sends nothing else. A frame carries, per
 * series key, {x, y, drop, replace, mode, xr, yr} (live/updates.py); a reset, every trace's
 * window. The script keeps each drawn trace's points, so a Patch can append and drop, or
 * assign the whole window when it is shorter to say so.
 */
(function () {
    "use strict";
    var PATCH = "__dash_patch_update";
    var BACKOFF_FIRST_MS = 1000;
    var BACKOFF_MAX_MS = 30000;
    var MOST_DELETES = 20;   // past this many dropped points, assign the window instead
    var streams = {};        // stream path -> {url, source, failures, timer}
    var graphs = [];         // [{id, series: Set, stream, traces: {key: index}, points: [{x, y}], extents: []}]
    var seen = {};           // series key -> {name, labels}, from resets and frames' "new"
    var scanQueued = false;

    function op(name, location, value) {
        return {operation: name, location: location, params: value === undefined ? {} : {value: value}};
    }

    function legend(key) {
        var info = seen[key] || {name: key, labels: {}};
        var labels = info.labels || {};
        var pairs = Object.keys(labels).sort().map(function (k) { return k + "=" + labels[k]; });
        return pairs.length ? info.name + " {" + pairs.join(", ") + "}" : info.name;
    }

    function ranges(graph) {
        var xs = [], ys = [];
        graph.extents.forEach(function (e) {
            if (e && e[0]) { xs.push(e[0][0], e[0][1]); }
            if (e && e[1]) { ys.push(e[1][0], e[1][1]); }
        });
        var ops = [];
        if (xs.length) {
            var first = Math.min.apply(null, xs), last = Math.max.apply(null, xs);
            ops.push(op("Assign", ["layout", "xaxis", "range"], last > first ? [first, last] : [first - 1000, first + 1000]));
        }
        if (ys.length) {
            var low = Math.min.apply(null, ys), high = Math.max.apply(null, ys);
            var pad = (high / 2 - low / 2) * 0.16 || Math.abs(high) * 0.1 || 1.0;
            ops.push(op("Assign", ["layout", "yaxis", "range"], [low - pad, high + pad]));
        }
        return ops;
    }

    function send(graph, ops) {
        if (ops.length && window.dash_clientside && window.dash_clientside.set_props) {
            window.dash_clientside.set_props(graph.id, {figure: {__dash_patch_update: PATCH, operations: ops}});
        }
    }

    function onReset(data) {
        var traces = data.traces || {};
        Object.keys(traces).forEach(function (key) {
            seen[key] = {name: traces[key].name, labels: traces[key].labels};
        });
        graphs.forEach(function (graph) {
            graph.traces = {};
            graph.points = [];
            graph.extents = [];
            var drawn = [];
            Object.keys(traces).sort().forEach(function (key) {
                var trace = traces[key];
                if (!graph.series.has(trace.name)) {
                    return;
                }
                graph.traces[key] = drawn.length;
                graph.points.push({x: trace.x.slice(), y: trace.y.slice()});
                graph.extents.push([trace.xr, trace.yr]);
                drawn.push({type: "scatter", mode: trace.mode || "lines", name: legend(key), x: trace.x, y: trace.y});
            });
            send(graph, [op("Assign", ["data"], drawn)].concat(ranges(graph)));
        });
    }

    function onFrame(data) {
        var updates = data.updates || {};
        var fresh = data["new"] || {};
        Object.keys(fresh).forEach(function (key) { seen[key] = {name: fresh[key].name, labels: fresh[key].labels}; });
        graphs.forEach(function (graph) {
            var ops = [];
            Object.keys(updates).forEach(function (key) {
                var info = seen[key];
                if (!info || !graph.series.has(info.name)) {
                    return;
                }
                var update = updates[key];
                var index = graph.traces[key];
                if (index === undefined) {   // a series (or label set) this graph has not drawn yet
                    index = graph.traces[key] = graph.points.length;
                    graph.points.push({x: [], y: []});
                    graph.extents.push(null);
                    ops.push(op("Append", ["data"], {type: "scatter", mode: update.mode || "lines",
                        name: legend(key), x: [], y: []}));
                }
                var kept = graph.points[index];
                var x = update.replace ? update.x.slice() : kept.x.concat(update.x || []);
                var y = update.replace ? update.y.slice() : kept.y.concat(update.y || []);
                var drop = update.drop || 0;
                kept.x = x.slice(drop);
                kept.y = y.slice(drop);
                var at = ["data", index];
                if (update.replace || drop > MOST_DELETES) {
                    ops.push(op("Assign", at.concat("x"), kept.x), op("Assign", at.concat("y"), kept.y));
                } else {
                    ops.push(op("Extend", at.concat("x"), update.x || []), op("Extend", at.concat("y"), update.y || []));
                    for (var i = 0; i < drop; i++) {
                        ops.push(op("Delete", at.concat("x", 0)), op("Delete", at.concat("y", 0)));
                    }
                }
                if (update.mode) {
                    ops.push(op("Assign", at.concat("mode"), update.mode));
                }
                if (update.xr || update.yr) {
                    var old = graph.extents[index] || [null, null];
                    graph.extents[index] = [update.xr || old[0], update.yr || old[1]];
                }
            });
            if (ops.length) {
                send(graph, ops.concat(ranges(graph)));
            }
        });
    }

    function open(path) {
        var stream = streams[path];
        if (stream.source) {
            stream.source.close();
        }
        var source = stream.source = new EventSource(stream.url);
        source.addEventListener("reset", function (event) { stream.failures = 0; onReset(JSON.parse(event.data)); });
        source.addEventListener("frame", function (event) { stream.failures = 0; onFrame(JSON.parse(event.data)); });
        source.onerror = function () {
            // The browser retries by itself, unless the answer was not a stream (a proxy's 502 in a
            // deploy): then it gives up for good, and a new EventSource is the only way back.
            if (source.readyState === EventSource.CLOSED && stream.source === source) {
                var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, Math.min(stream.failures, 30)));
                stream.failures += 1;
                clearTimeout(stream.timer);
                stream.timer = setTimeout(function () { open(path); }, ceiling / 2 + Math.random() * ceiling / 2);
            }
        };
    }

    function scan() {
        scanQueued = false;
        var found = [];
        var wanted = {};   // stream path -> {series name: true}
        var drawnAfresh = {};   // stream paths with a graph drawn since the last scan (empty, as Dash drew it)
        document.querySelectorAll("[data-pb-livegraph]").forEach(function (node) {
            var path = node.getAttribute("data-pb-stream");
            var names = JSON.parse(node.getAttribute("data-pb-series") || "[]");
            var id = JSON.parse(node.getAttribute("data-pb-livegraph"));
            var old = graphs.filter(function (g) { return g.node === node; })[0];
            if (!old) {
                drawnAfresh[path] = true;
            }
            found.push(old || {id: id, node: node, series: new Set(names), stream: path, traces: {}, points: [],
                extents: []});
            wanted[path] = wanted[path] || {};
            names.forEach(function (name) { wanted[path][name] = true; });
        });
        graphs = found;
        Object.keys(streams).forEach(function (path) {
            if (!wanted[path]) {   // no LiveGraph of this Pulseboard left on the page
                streams[path].source.close();
                clearTimeout(streams[path].timer);
                delete streams[path];
            }
        });
        Object.keys(wanted).forEach(function (path) {
            var query = Object.keys(wanted[path]).sort().map(function (name) {
                return "series=" + encodeURIComponent(name);
            }).join("&");
            var url = path + "?" + query;
            if (!streams[path] || streams[path].url !== url || drawnAfresh[path]) {
                // A new set of series, or a graph drawn empty: a new stream, whose first event (a
                // reset) draws every graph whole.
                streams[path] = streams[path] || {failures: 0};
                streams[path].url = url;
                open(path);
            }
        });
    }

    function queueScan() {
        if (!scanQueued) {
            scanQueued = true;
            setTimeout(scan, 0);
        }
    }

    function start() {
        new MutationObserver(queueScan).observe(document.body, {childList: true, subtree: true});
        queueScan();
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
    window.pulseboardLiveGraphs = {graphs: function () { return graphs; }, streams: function () { return streams; }};
})();
