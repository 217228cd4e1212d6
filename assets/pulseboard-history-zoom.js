/* Looking back, zoom: dragging across a line panel's time narrows the range of every panel and
 * the URL; a double-click goes back to the range before (from a live page's first zoom: live) (effects).
 *
 * A part of the history controller (pulseboard-history.js, which applies it to each one it makes):
 * it adds bindZoom(), bindSoon(), bindAll() and dragging() to the controller `c`. What a relayout asks is read
 * by pulseboardRange.zoom: only a user's drag says "xaxis.range[0]", never an animation's end.
 */
(function (root) {
    "use strict";

    var BACK_MS = 1000;    // how long after a double-click Plotly's own relayout may come
    var REBIND_MS = 5000;  // how long after a draw a graph is bound again each animation frame

    function part(c) {
        var R = root.pulseboardRange;
        var view = c.view;

        function onRelayout(panelId, data) {
            // Plotly follows a double-click with a relayout to the first ranges it drew: not a zoom.
            if (Date.now() - view.backAt < BACK_MS) {
                if (c.active()) {
                    c.draw(panelId);
                }
                return;
            }
            var asked = R.zoom(data);
            if (asked && asked !== "back") {
                view.back.push(view.range);
                c.setRange(asked, true);
            }
        }

        function onDoubleClick(panelId) {
            view.backAt = Date.now();
            if (view.back.length) {
                c.setRange(view.back.pop(), true);
            } else if (c.active()) {
                c.draw(panelId);  // nothing to go back to: the range as it was
            }
        }

        c.bindZoom = function (panelId) {
            // Once per graph and Plotly instance: a new plot (Plotly.newPlot purges) is bound again.
            var gd = c.tools.graphDiv(panelId);
            if (!gd || !gd._ev || typeof gd.on !== "function") {
                return;
            }
            if (gd.__pulseboardZoom && gd._ev.listeners("plotly_relayout").indexOf(gd.__pulseboardZoom) >= 0) {
                return;
            }
            gd.__pulseboardZoom = function (data) { onRelayout(panelId, data); };
            gd.on("plotly_relayout", gd.__pulseboardZoom);
            gd.on("plotly_doubleclick", function () { onDoubleClick(panelId); });
        };

        var rebinding = new Map();  // panel id -> until when its graph is bound again each frame

        c.bindSoon = function (panelId) {
            // Dash draws a patch a moment later, and a graph's first plot (Plotly.newPlot) drops every
            // listener: bound again each animation frame for a while after each draw, so a drag right
            // after it is not lost (the once-a-second rebinding alone lost a zoom on a loaded machine).
            var running = rebinding.has(panelId);
            rebinding.set(panelId, Date.now() + REBIND_MS);
            if (running) {
                return;
            }
            var step = function () {
                c.bindZoom(panelId);
                if (Date.now() < rebinding.get(panelId)) {
                    root.requestAnimationFrame(step);
                } else {
                    rebinding.delete(panelId);
                }
            };
            root.requestAnimationFrame(step);
        };

        c.bindAll = function () {
            view.specs.forEach(function (spec, panelId) {
                if (spec.kind === "line") {
                    c.bindZoom(panelId);
                }
            });
        };

        c.dragging = function () {
            // Whether a graph is being dragged across: a redraw would move its axis under the drag.
            var found = false;
            view.specs.forEach(function (spec, panelId) {
                var gd = spec.kind === "line" ? c.tools.graphDiv(panelId) : null;
                found = found || !!(gd && gd._dragging);
            });
            return found;
        };
    }

    root.PulseboardHistoryParts = (root.PulseboardHistoryParts || []).concat([part]);
})(window);
