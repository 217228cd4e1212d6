/* Pulseboard's page arithmetic (pure: no DOM, no timers, no globals read).
 *
 * A frame carries data only (live/updates.py): per trace an update {x, y, drop, replace,
 * mode, xr, yr}. The page owns presentation: which panel a trace is drawn in, its theme, and
 * each panel's axis ranges, computed from its traces' extents exactly as live/figures.py
 * x_range and y_range compute them (same operations, so the same doubles);
 * tests/fixtures/updates.json holds the cases both sides must agree on.
 *
 * Loaded before pulseboard.js: Dash adds the assets folder's scripts in sorted file-name
 * order, and "pulseboard-updates.js" sorts before "pulseboard.js" ("-" < ".").
 */
(function (root, factory) {
    "use strict";
    var updates = factory();
    if (typeof module === "object" && module && module.exports) {
        module.exports = updates;
    }
    if (root) {
        root.pulseboardUpdates = updates;
    }
})(typeof window !== "undefined" ? window : null, function () {
    "use strict";

    var PATCH_KEY = "__dash_patch_update";
    var BIGGEST = Number.MAX_VALUE;   // sys.float_info.max
    var BACKOFF_FIRST_MS = 1000;
    var BACKOFF_MAX_MS = 30000;

    function backoffDelay(failures, random) {
        // Milliseconds to wait before rebuilding a stream that failed `failures` times in a row
        // (0 for the first), given random in [0, 1): between half and all of a ceiling that
        // doubles from 1 s to 30 s. The jitter spreads screens that a restart cut at once.
        var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, Math.min(failures, 30)));
        return ceiling / 2 + random * ceiling / 2;
    }

    function operation(name, location, value) {
        return {operation: name, location: location, params: value === undefined ? {} : {value: value}};
    }

    function patch(ops) {
        return {__dash_patch_update: PATCH_KEY, operations: ops};
    }

    function operations(update, traceIndex) {
        // The Patch operations an update stands for. A drop is one Delete of index 0 per point
        // (a Dash Patch Delete removes one item); a burst big enough to need many is sent, or
        // merged (see merge), as a replace of the whole window instead.
        var at = ["data", traceIndex];
        var verb = update.replace ? "Assign" : "Extend";
        var ops = [
            operation(verb, at.concat("x"), update.x || []),
            operation(verb, at.concat("y"), update.y || [])
        ];
        for (var i = 0; i < (update.drop || 0); i++) {
            ops.push(operation("Delete", at.concat("x", 0)), operation("Delete", at.concat("y", 0)));
        }
        if (update.mode) {
            ops.push(operation("Assign", at.concat("mode"), update.mode));
        }
        return ops;
    }

    function merge(older, newer, windowSize) {
        // One trace's two updates as one. Appending A then dropping a, then appending B and
        // dropping b, leaves what appending A and B and dropping a + b leaves: drops take from
        // the front, appends add at the back. The newer update's extents win.
        var merged = Object.assign({}, newer);
        if (!newer.replace) {
            merged.x = (older.x || []).concat(newer.x || []);
            merged.y = (older.y || []).concat(newer.y || []);
            merged.drop = (older.drop || 0) + (newer.drop || 0);
        }
        if (older.replace && !newer.replace) {
            // A replace carries the whole window: keep it whole, dropping here what would go.
            merged.x = merged.x.slice(merged.drop);
            merged.y = merged.y.slice(merged.drop);
            merged.drop = 0;
            merged.replace = true;
        }
        if (!newer.mode && older.mode) {
            merged.mode = older.mode;
        }
        ["xr", "yr"].forEach(function (key) {
            if (!(key in newer) && key in older) {
                merged[key] = older[key];
            }
        });
        if (windowSize && !merged.replace && merged.x.length >= windowSize) {
            // As many new points as the window holds (a graph kept busy, by a hidden tab that
            // pauses its animation): they are the whole window, so assign it, not thousands of
            // Delete operations.
            merged.x = merged.x.slice(-windowSize);
            merged.y = merged.y.slice(-windowSize);
            merged.drop = 0;
            merged.replace = true;
        }
        if (merged.drop === 0) {
            delete merged.drop;
        }
        return merged;
    }

    function applyUpdate(trace, update) {
        // A trace (an object with x and y) after an update, as the update's Patch leaves it.
        var x = update.replace ? (update.x || []).slice() : (trace.x || []).concat(update.x || []);
        var y = update.replace ? (update.y || []).slice() : (trace.y || []).concat(update.y || []);
        var next = Object.assign({}, trace, {x: x.slice(update.drop || 0), y: y.slice(update.drop || 0)});
        if (update.mode) {
            next.mode = update.mode;
        }
        return next;
    }

    // Python's min() and max(): the first of equal values wins, compared with < and >.
    function pyMin(values) {
        var best = values[0];
        for (var i = 1; i < values.length; i++) {
            if (values[i] < best) {
                best = values[i];
            }
        }
        return best;
    }

    function pyMax(values) {
        var best = values[0];
        for (var i = 1; i < values.length; i++) {
            if (values[i] > best) {
                best = values[i];
            }
        }
        return best;
    }

    function known(extents) {
        return (extents || []).filter(function (extent) { return extent && extent.length; });
    }

    function xRange(extents) {
        // live/figures.py x_range: every trace's whole window, or 2 s around a lone instant.
        var spans = known(extents);
        if (!spans.length) {
            return [0, 1000];
        }
        var first = pyMin(spans.map(function (e) { return e[0]; }));
        var last = pyMax(spans.map(function (e) { return e[1]; }));
        return last > first ? [first, last] : [first - 1000, first + 1000];
    }

    function yRange(extents) {
        // live/figures.py y_range, operation for operation. Any double is a valid value, so
        // nothing may overflow: the span is taken in halves and the result clamped
        // (1.7976931348623157e308 once stopped every screen: issue 12).
        var spans = known(extents);
        if (!spans.length) {
            return [0.0, 1.0];
        }
        var low = pyMin(spans.map(function (e) { return e[0]; }));
        var high = pyMax(spans.map(function (e) { return e[1]; }));
        var pad = (high / 2 - low / 2) * 0.16 || Math.abs(high) * 0.1 || 1.0;
        return [Math.max(-BIGGEST, low - pad), Math.min(BIGGEST, high + pad)];
    }

    function graphPatch(traceUpdates, extents, newTraces, settle) {
        // One panel's Patch for one flush: traces added (already holding their points), each
        // trace's update ([index, update] pairs), then the panel's ranges, assigned once from
        // every trace's [xr, yr]; settle(x, y), if given, says which of them to move ({x, y},
        // null for an axis that stays as drawn).
        var ops = (newTraces || []).map(function (trace) { return operation("Append", ["data"], trace); });
        traceUpdates.forEach(function (pair) {
            ops.push.apply(ops, operations(pair[1], pair[0]));
        });
        var spans = extents || [];
        var x = xRange(spans.map(function (e) { return e && e[0]; }));
        var y = yRange(spans.map(function (e) { return e && e[1]; }));
        var axes = settle ? settle(x, y) : {x: x, y: y};
        if (axes.x) {
            ops.push(operation("Assign", ["layout", "xaxis", "range"], axes.x));
        }
        if (axes.y) {
            ops.push(operation("Assign", ["layout", "yaxis", "range"], axes.y));
        }
        return patch(ops);
    }

    function codePoints(text) {
        return Array.from(text, function (c) { return c.codePointAt(0); });
    }

    function byCodePoint(a, b) {
        // Python compares str by code point; Array.prototype.sort by UTF-16 unit, which puts
        // characters past U+FFFF before U+E000..U+FFFF.
        var x = codePoints(a);
        var y = codePoints(b);
        for (var i = 0; i < Math.min(x.length, y.length); i++) {
            if (x[i] !== y[i]) {
                return x[i] - y[i];
            }
        }
        return x.length - y.length;
    }

    function legendName(name, labels) {
        // live/figures.py legend_name: the labels as "k=v, k2=v2" by key, or the series name.
        var pairs = typeof labels === "string" ? (labels ? JSON.parse(labels) : {}) : (labels || {});
        var keys = Object.keys(pairs).sort(byCodePoint);
        if (!keys.length) {
            return name;
        }
        return keys.map(function (key) { return key + "=" + pairs[key]; }).join(", ");
    }

    var TITLE_CHARS = 48;

    function shortTitle(title) {
        // live/figures.py short_title: at most TITLE_CHARS code points (not UTF-16 units), then "…".
        var chars = Array.from(String(title));
        return chars.length <= TITLE_CHARS ? String(title) : chars.slice(0, TITLE_CHARS - 1).join("") + "\u2026";
    }

    function plainText(text) {
        // html.escape(text, quote=False): Plotly reads titles and names as a subset of HTML.
        return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    }

    function traceMode(points) {
        // live/figures.py trace_mode: a lone point needs a marker to be seen at all.
        return points < 2 ? "lines+markers" : "lines";
    }

    function copy(value) {
        return JSON.parse(JSON.stringify(value));
    }

    function newTrace(traceTemplate, name, labels, x, y, key) {
        // A trace as live/figures.py trace_figure draws it: the template, named for its legend,
        // its series key in meta (for whoever reads the page: tests, and the panel's own code).
        var points = x || [];
        return Object.assign(copy(traceTemplate), {
            meta: key,
            name: plainText(legendName(name, labels)),
            x: points,
            y: y || [],
            mode: traceMode(points.length)
        });
    }

    function xExtent(xs) {
        return xs.length ? [xs[0], xs[xs.length - 1]] : null;
    }

    function yExtent(ys) {
        return ys.length ? [pyMin(ys), pyMax(ys)] : null;
    }

    function panelFigure(template, traceTemplate, title, traces, theme) {
        // live/figures.py panel_figure: a line per trace ({name, labels, x, y}), ranges set to
        // the data (Plotly.animate never autoranges), then the viewer's theme (its layout keys).
        var figure = copy(template);
        figure.layout = figure.layout || {};
        figure.layout.title = Object.assign({}, figure.layout.title, {text: plainText(shortTitle(title))});
        figure.data = traces.map(function (trace) {
            return newTrace(traceTemplate, trace.name, trace.labels, trace.x, trace.y, trace.key);
        });
        figure.layout.xaxis = Object.assign({}, figure.layout.xaxis, {
            range: xRange(traces.map(function (trace) { return xExtent(trace.x || []); }))
        });
        figure.layout.yaxis = Object.assign({}, figure.layout.yaxis, {
            range: yRange(traces.map(function (trace) { return yExtent(trace.y || []); }))
        });
        return theme ? themed(figure, theme) : figure;
    }

    function themed(figure, themeLayout) {
        // live/figures.py themed: a theme's layout keys merged in, one level deep (a theme's
        // xaxis colours must not take the axis' range and type with them).
        var layout = Object.assign({}, figure.layout);
        Object.keys(themeLayout || {}).forEach(function (key) {
            var value = themeLayout[key];
            layout[key] = isObject(value) ? Object.assign({}, layout[key], value) : value;
        });
        return Object.assign({}, figure, {layout: layout});
    }

    function themePatch(themeLayout) {
        // The Patch that does to a drawn graph what themed does to a figure: Merge where themed
        // merges (a whole-layout Merge would replace xaxis, range and all), Assign elsewhere.
        return patch(Object.keys(themeLayout || {}).map(function (key) {
            var value = themeLayout[key];
            return operation(isObject(value) ? "Merge" : "Assign", ["layout", key], value);
        }));
    }

    function isObject(value) {
        return value !== null && typeof value === "object" && !Array.isArray(value);
    }

    return {
        PATCH_KEY: PATCH_KEY,
        backoffDelay: backoffDelay,
        operation: operation,
        operations: operations,
        merge: merge,
        applyUpdate: applyUpdate,
        xRange: xRange,
        yRange: yRange,
        graphPatch: graphPatch,
        legendName: legendName,
        plainText: plainText,
        shortTitle: shortTitle,
        traceMode: traceMode,
        newTrace: newTrace,
        panelFigure: panelFigure,
        themed: themed,
        themePatch: themePatch
    };
});
