/* Looking back, the drawing: each panel from its answer over the range, as one Dash Patch (effects).
 *
 * A part of the history controller (pulseboard-history.js, which applies it to each one it makes):
 * it adds draw(), slideDue() and slide() to the controller `c`. A line panel: its traces (history, and for a
 * range ending at now the live tail joined to its end: pulseboardRange.merge) and both axes' ranges.
 * A stat or gauge in a past range: the value in force at the range's end (the API's `last`, a
 * stored point, not a bucket's extreme), a stat's change over the range and its sparkline. In a
 * past range every panel's age is told from the range's end, and none is marked stale.
 */
(function (root) {
    "use strict";

    function part(c) {
        var R = root.pulseboardRange;
        var U = root.pulseboardUpdates;
        var V = root.pulseboardView;
        var view = c.view;

        function shownRange() {
            // [start, end] ms shown: the API's range, or for a sliding one its span ending now.
            if (!view.bounds) {
                return null;
            }
            if (!R.sliding(view.range)) {
                return view.bounds;
            }
            var span = view.bounds[1] - view.bounds[0];
            var end = Math.max(c.serverNow(), view.bounds[1]);
            return [end - span, end];
        }

        function setPart(kind, panelId, props) {
            c.tools.setProps({type: kind, panel: panelId}, props);
        }

        function patch(panelId, operations) {
            c.tools.setProps(c.tools.graphId(panelId), {
                figure: {__dash_patch_update: U.PATCH_KEY, operations: operations}, animate: false
            });
            view.draws += 1;
        }

        function newestLast(history) {
            // The newest of a panel's series' last points at or before the range's end, ms, or null.
            var newest = null;
            history.forEach(function (answer) {
                if (answer.last && (newest === null || answer.last[0] > newest)) {
                    newest = answer.last[0];
                }
            });
            return newest;
        }

        function drawLine(panelId, spec, shown) {
            var history = view.history.get(panelId) || new Map();
            var sliding = R.sliding(view.range);
            var traces = (view.keys.get(panelId) || []).map(function (key) {
                var points = history.get(key) || {x: [], y: []};
                if (sliding) {
                    points = R.merge(points, view.live.get(key) || {x: [], y: []}, shown[0]);
                }
                var named = view.names.get(key) || {name: key, labels: {}};
                var template = c.page.settings.templates.trace;
                var trace = U.newTrace(template, named.name, named.labels, points.x, points.y, key);
                trace.hovertemplate = spec.hover;
                return trace;
            });
            if (R.still(view.range)) {
                setPart("pb-age", panelId, {children: R.ageAtEnd(newestLast(history), shown[1], V.formatAge)});
                setPart("pb-panel", panelId, {className: "pb-panel pb-kind-line"});
            }
            var values = R.extent(traces);
            patch(panelId, [
                U.operation("Assign", ["data"], traces),
                U.operation("Assign", ["layout", "xaxis", "range"], shown),
                U.operation("Assign", ["layout", "yaxis", "range"], V.valueRange(spec, values.low, values.high))
            ]);
            c.bindSoon(panelId);
        }

        function drawStill(panelId, spec, shown) {
            var answer = (view.history.get(panelId) || new Map()).get((view.keys.get(panelId) || [])[0]);
            var last = answer && answer.last ? answer.last : null;
            var value = last ? last[1] : null;
            var color = value === null ? null : V.thresholdColor(value, spec.thresholds);
            setPart("pb-value", panelId, {
                children: V.formatValue(value, spec.decimals, spec.unit), style: color ? {color: color} : {}
            });
            setPart("pb-age", panelId, {children: R.ageAtEnd(last ? last[0] : null, shown[1], V.formatAge)});
            setPart("pb-panel", panelId, {className: "pb-panel pb-kind-" + spec.kind});
            if (spec.kind === "gauge") {
                setPart("pb-gauge", panelId, {style: {
                    "--pb-fill": V.gaugeFraction(value, spec), "--pb-color": color || "var(--pb-accent)"
                }});
                return;
            }
            var first = answer && answer.first ? answer.first[1] : null;
            setPart("pb-change", panelId, {children: V.formatChange(first, value, spec.decimals, spec.unit)});
            var points = answer || {x: [], y: []};
            var gd = c.tools.graphDiv(panelId);
            // The board's own sparkline trace, its points swapped: its look stays the board's.
            var look = gd && gd.data && gd.data[0] ? gd.data[0] : {type: "scatter", mode: "lines", fill: "tozeroy"};
            var values = R.extent([points]);
            patch(panelId, [
                U.operation("Assign", ["data"], [Object.assign({}, look, {x: points.x, y: points.y})]),
                U.operation("Assign", ["layout", "xaxis", "range"], shown),
                U.operation("Assign", ["layout", "yaxis", "range"], V.valueRange({}, values.low, values.high))
            ]);
        }

        c.draw = function (panelId) {
            var shown = shownRange();
            var spec = view.specs.get(panelId);
            if (!shown || !spec || !c.page.settings) {
                return;
            }
            (spec.kind === "line" ? drawLine : drawStill)(panelId, spec, shown);
        };

        c.slideDue = function () {
            // Whether a sliding range is to be drawn again now (R.slideEvery, at the widest graph's pixels).
            var widest = 0;
            view.specs.forEach(function (spec, panelId) {
                widest = spec.kind === "line" ? Math.max(widest, c.plotWidth(panelId)) : widest;
            });
            var span = view.bounds ? view.bounds[1] - view.bounds[0] : 0;
            return Date.now() - view.lastSlide >= R.slideEvery(span, widest, view.fresh, c.SLIDE_MS);
        };

        c.slide = function () {
            // A range ending at now moves on with the clock: its line panels drawn again (not mid-drag).
            if (!c.active() || !R.sliding(view.range) || !view.bounds || c.dragging()) {
                return;
            }
            view.lastSlide = Date.now();
            view.fresh = false;
            view.specs.forEach(function (spec, panelId) {
                if (spec.kind === "line") {
                    c.draw(panelId);
                }
            });
        };
    }

    root.PulseboardHistoryParts = (root.PulseboardHistoryParts || []).concat([part]);
})(window);
