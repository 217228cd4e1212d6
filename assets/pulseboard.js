/* Pulseboard's browser side: one EventSource per tab, each frame's patches handed to
 * dash_clientside.set_props. The server builds every patch; this only applies them.
 *
 * An animated dcc.Graph queues one Plotly.animate per figure change and runs them one
 * after another, so patches arriving faster than an animation lasts pile up and the
 * chart falls further and further behind. So each graph takes at most one patch per
 * animation: what arrives meanwhile is merged (operations run in order) and sent as one.
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
        resets: 0,
        connects: 0,
        pending: new Map(),   // series -> operations waiting for the graph to be free
        busy: new Map(),      // series -> fallback timer while its graph animates
        watched: new WeakSet()
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

    function watch(series) {
        var gd = graphDiv(series);
        if (!gd || state.watched.has(gd) || !gd.on) {
            return;
        }
        state.watched.add(gd);
        // afterplot ends an animation, after plotly_animated: dcc.Graph chains each figure
        // change behind the last Plotly.animate's promise, which settles only then. And the
        // plotly_relayout that follows it must see the figure it drew, or dcc.Graph writes the
        // old axes back into the figure and animates once more. Released on plotly_animated,
        // patches queued inside dcc.Graph and the lag grew without bound (BENCHMARKS.md).
        ["plotly_afterplot", "plotly_animationinterrupted"].forEach(function (name) {
            gd.on(name, function () {
                if (state.busy.has(series)) {
                    window.requestAnimationFrame(function () { release(series); });
                }
            });
        });
    }

    function flush(series) {
        var operations = state.pending.get(series);
        if (!operations || state.busy.has(series)) {
            return;
        }
        state.pending.delete(series);
        watch(series);
        // Free again after the animation even if no event comes (a hidden tab, a graph
        // still mounting); generous, as an event normally releases it much sooner.
        var fallback = 3 * state.settings.graph.animation_options.transition.duration + 500;
        state.busy.set(series, setTimeout(function () { release(series); }, fallback));
        // animate: true again, after a control drew a layout change without animation.
        window.dash_clientside.set_props(graphId(series), {
            figure: {__dash_patch_update: PATCH_KEY, operations: operations},
            animate: true
        });
    }

    function enqueue(series, operations) {
        var waiting = state.pending.get(series);
        state.pending.set(series, waiting ? waiting.concat(operations) : operations);
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
        Object.keys(frame.patches).forEach(function (series) {
            enqueue(series, frame.patches[series].operations);
        });
    }

    function onReset(event) {
        var figures = JSON.parse(event.data).figures;
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
        source.onopen = function () { setStatus("live"); };
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
