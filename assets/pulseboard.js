/* Pulseboard's browser side: one EventSource per tab; each frame's updates become Dash
 * Patches handed to dash_clientside.set_props. The server decides every change (which
 * points, how many to drop, the axis ranges: live/patches.py); this only spells an update
 * as the Patch operations it stands for, which costs far fewer bytes on the wire.
 *
 * An animated dcc.Graph queues one Plotly.animate per figure change and runs them one
 * after another, so patches arriving faster than an animation lasts pile up and the
 * chart falls further and further behind. So each graph takes at most one patch per
 * animation: updates that arrive meanwhile are merged into one.
 */
(function () {
    "use strict";

    var GRAPH_TYPE = "pb-graph";
    var PATCH_KEY = "__dash_patch_update";

    var state = {
        settings: null,
        source: null,
        lastId: null,
        db: null,
        frames: 0,
        merges: 0,            // updates merged into one waiting for a busy graph
        resets: 0,
        connects: 0,          // EventSources built
        opens: 0,             // streams opened, the browser's own reconnects included
        pending: new Map(),   // series -> the update waiting for the graph to be free
        busy: new Map()       // series -> fallback timer while its graph draws
    };

    function graphId(series) {
        return {type: GRAPH_TYPE, series: series};
    }

    function graphDiv(series) {
        // Dash writes a dict id to the DOM as JSON with its keys sorted.
        var outer = document.getElementById(JSON.stringify({series: series, type: GRAPH_TYPE}));
        return outer && outer.querySelector(".js-plotly-plot");
    }

    function hasGraph(series) {
        return document.getElementById(JSON.stringify({series: series, type: GRAPH_TYPE})) !== null ||
            state.busy.has(series);
    }

    function setStatus(text) {
        window.dash_clientside.set_props("pb-status", {children: text});
    }

    function addGraph(series, figure) {
        var props = Object.assign({}, state.settings.graph, {id: graphId(series), figure: figure});
        var component = {type: "Graph", namespace: "dash_core_components", props: props};
        window.dash_clientside.set_props("pb-graphs", {
            children: {__dash_patch_update: PATCH_KEY, operations: [
                {operation: "Append", location: [], params: {value: component}}
            ]}
        });
    }

    function release(series) {
        clearTimeout(state.busy.get(series));
        state.busy.delete(series);
        flush(series);
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
        // without bound (BENCHMARKS.md). The ranges are in every patch, so the copy adds nothing.
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
        var plotly = window.Plotly;
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

    function operation(name, location, value) {
        return {operation: name, location: location, params: value === undefined ? {} : {value: value}};
    }

    function toPatch(update) {
        // The Patch an update stands for (live/patches.py says what each key means).
        var ops = [];
        var verb = update.replace ? "Assign" : "Extend";
        ops.push(operation(verb, ["data", 0, "x"], update.x), operation(verb, ["data", 0, "y"], update.y));
        for (var i = 0; i < (update.drop || 0); i++) {
            ops.push(operation("Delete", ["data", 0, "x", 0]), operation("Delete", ["data", 0, "y", 0]));
        }
        if (update.mode) {
            ops.push(operation("Assign", ["data", 0, "mode"], update.mode));
        }
        ops.push(operation("Assign", ["layout", "xaxis", "range"], update.xrange));
        ops.push(operation("Assign", ["layout", "yaxis", "range"], update.yrange));
        return {__dash_patch_update: PATCH_KEY, operations: ops};
    }

    function merge(older, newer) {
        // Appending A then dropping a, then appending B and dropping b, leaves what appending
        // A and B and dropping a + b leaves: drops take from the front, appends add at the back.
        var merged = Object.assign({}, newer);
        if (!newer.replace) {
            merged.x = older.x.concat(newer.x);
            merged.y = older.y.concat(newer.y);
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
        var size = state.settings.window;
        if (size && !merged.replace && merged.x.length >= size) {
            // As many new points as the window holds (a graph kept busy, by a hidden tab that
            // pauses its animation): they are the whole window, so assign it, not thousands of
            // Delete operations.
            merged.x = merged.x.slice(-size);
            merged.y = merged.y.slice(-size);
            merged.drop = 0;
            merged.replace = true;
        }
        return merged;
    }

    function flush(series) {
        var update = state.pending.get(series);
        if (!update || state.busy.has(series)) {
            return;
        }
        state.pending.delete(series);
        hookPlotly();
        var gd = graphDiv(series);
        if (gd) {
            gd.__pulseboardSettled = function () { release(series); };
        }
        // Free again even if no Plotly call draws the patch (a graph still mounting), but never
        // while one is drawing (a hidden tab pauses animations): a second patch would queue
        // behind it in dcc.Graph, a whole figure each; meanwhile updates merge here instead.
        var fallback = 3 * state.settings.graph.animation_options.transition.duration + 500;
        var check = function () {
            var drawing = graphDiv(series);
            if (drawing && drawing.__pulseboardDrawing > 0) {
                state.busy.set(series, setTimeout(check, fallback));
            } else {
                release(series);
            }
        };
        state.busy.set(series, setTimeout(check, fallback));
        // animate: true again, after a control drew a layout change without animation.
        window.dash_clientside.set_props(graphId(series), {
            figure: toPatch(update),
            animate: true
        });
    }

    function enqueue(series, update) {
        var waiting = state.pending.get(series);
        if (waiting) {
            state.merges += 1;
        }
        state.pending.set(series, waiting ? merge(waiting, update) : update);
        flush(series);
    }

    function onFrame(event) {
        var frame = JSON.parse(event.data);
        state.lastId = event.lastEventId;
        state.frames += 1;
        Object.keys(frame.new || {}).forEach(function (series) {
            if (!hasGraph(series)) {
                addGraph(series, frame.new[series]);
            }
        });
        Object.keys(frame.updates).forEach(function (series) {
            enqueue(series, frame.updates[series]);
        });
    }

    function onReset(event) {
        var reset = JSON.parse(event.data);
        var figures = reset.figures;
        if (reset.db && state.db && reset.db !== state.db) {
            // The database was replaced: its series and ids are not ours. Its graphs, and
            // this EventSource's ?db=, would be stale; the page starts over from the layout.
            state.source.close();
            window.location.reload();
            return;
        }
        state.lastId = event.lastEventId;
        state.resets += 1;
        Object.keys(figures).forEach(function (series) {
            state.pending.delete(series);
            if (!hasGraph(series)) {
                addGraph(series, figures[series]);
            } else {
                window.dash_clientside.set_props(graphId(series), {figure: figures[series]});
            }
        });
    }

    function streamUrl() {
        var query = "db=" + encodeURIComponent(state.db);
        if (state.lastId !== null && state.lastId !== "") {
            query += "&after=" + encodeURIComponent(state.lastId);
        }
        return state.settings.stream + "?" + query;
    }

    function open() {
        var source = new EventSource(streamUrl());
        state.source = source;
        state.connects += 1;
        source.addEventListener("frame", onFrame);
        source.addEventListener("reset", onReset);
        source.onopen = function () { state.opens += 1; setStatus("live"); };
        source.onerror = function () {
            if (source.readyState === EventSource.CLOSED) {
                // The browser gives up for good after a non-200 answer (a proxy's 502
                // during a deploy): build a new EventSource, resuming from the last id.
                setStatus("reconnecting");
                source.close();
                var delay = 500 + Math.random() * 1500;
                setTimeout(function () { if (state.source === source) { open(); } }, delay);
            } else {
                setStatus("reconnecting");
            }
        };
    }

    window.pulseboard = state;
    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        pulseboard: {
            connect: function (cursor, settings) {
                if (!cursor || state.source) {
                    return window.dash_clientside.no_update;
                }
                state.settings = settings;
                state.lastId = String(cursor.after);
                state.db = cursor.db;
                open();
                return "connecting";
            }
        }
    });
})();
