/* Looking back, the reads: the panels' series over the range from GET /api/history (effects).
 *
 * A part of the history controller (pulseboard-history.js, which applies it to each one it makes):
 * it adds load(), covered() and plotWidth() to the controller `c`. One request asks for every
 * panel of a width (`?dashboard=&panel=`): the server places the series as it does for the
 * page's stream, so the page asks as soon as it starts, not after its stream's first reset. A
 * line panel asks for two points a pixel of its plot area; a stat's sparkline the same of its
 * own; a gauge the fewest (it shows one value: the answer's `last`). An answer to a range no
 * longer asked for is dropped; a refusal is said in the picker, and the URL goes back to the
 * range drawn.
 */
(function (root) {
    "use strict";

    var SIDES_PX = 80;      // a panel's width that is not its plot area, before its graph is drawn
    var STILL_POINTS = 10;  // a gauge draws no line: the fewest points the API gives

    function part(c) {
        var R = root.pulseboardRange;
        var view = c.view;

        c.plotWidth = function (panelId) {
            // The pixels across the graph's plot area: the drawn graph's, else its panel's less its sides.
            var gd = c.tools.graphDiv(panelId);
            var size = gd && gd._fullLayout && gd._fullLayout._size;
            if (size && size.w > 0) {
                return size.w;
            }
            // Less the line figure's side margins and the value axis's labels (live/dashboards/panels.py),
            // so the first answer is not over two points a pixel of the plot area either.
            var panel = root.document.getElementById(JSON.stringify({panel: panelId, type: "pb-panel"}));
            return panel ? Math.max(0, panel.clientWidth - SIDES_PX) : 0;
        };

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

        function groups() {
            // The panels drawn here, by the points each asks for: a request per group.
            var byPoints = new Map();
            view.specs.forEach(function (spec, panelId) {
                if (!c.drawn(panelId)) {
                    return;
                }
                var points = spec.kind === "gauge" ? STILL_POINTS : R.points(c.plotWidth(panelId));
                byPoints.set(points, (byPoints.get(points) || []).concat([panelId]));
            });
            return byPoints;
        }

        function keepAnswers(answers) {
            answers.forEach(function (answer) {
                view.bounds = [Date.parse(answer.from), Date.parse(answer.to)];
                Object.keys(answer.series).forEach(function (key) {
                    view.names.set(key, {name: answer.series[key].name, labels: answer.series[key].labels});
                });
                Object.keys(answer.panels).forEach(function (panelId) {
                    var keys = answer.panels[panelId];
                    var traces = new Map();
                    keys.forEach(function (key) {
                        traces.set(key, answer.series[key] || {x: [], y: [], first: null, last: null});
                    });
                    view.keys.set(panelId, keys.concat((view.keys.get(panelId) || []).filter(function (key) {
                        return keys.indexOf(key) < 0;  // a series placed since the server answered
                    })));
                    view.history.set(panelId, traces);
                });
            });
        }

        c.covered = function () {
            // Whether what is asked or drawn holds every series the page now places in a panel drawn here.
            if (view.pending) {
                return true;
            }
            var covered = true;
            view.keys.forEach(function (keys, panelId) {
                var drawn = view.history.get(panelId);
                if (c.drawn(panelId) && keys.some(function (key) { return !drawn || !drawn.has(key); })) {
                    covered = false;
                }
            });
            return covered;
        };

        c.load = function (before) {
            // Every panel drawn here, over the range; then every one of them drawn.
            var generation = ++view.generation;
            var range = view.range;
            var dashboard = c.page.dashboard;
            view.askedAt = root.performance.now();
            view.pending = true;
            c.say(view.back.length ? c.zoomNote() : "loading…");
            var asked = [];
            groups().forEach(function (panels, points) {
                asked.push(fetchJson(R.panelsUrl(c.base(), dashboard, panels, range, points)));
            });
            Promise.all(asked).then(function (answers) {
                if (generation !== view.generation) {
                    return;  // a newer range was asked for meanwhile
                }
                view.pending = false;
                view.answeredAt = root.performance.now();
                keepAnswers(answers);
                view.loads += 1;
                c.say(c.zoomNote());
                view.specs.forEach(function (spec, panelId) {
                    if (c.drawn(panelId)) {
                        c.draw(panelId);
                    }
                });
            }, function (error) {
                if (generation !== view.generation) {
                    return;
                }
                view.pending = false;
                if (before !== undefined && before !== null) {
                    view.range = before;  // refused (a time the API cannot read): the URL keeps what is drawn
                    c.writeUrl(before);
                }
                c.say(error.message);
            });
        };
    }

    root.PulseboardHistoryParts = (root.PulseboardHistoryParts || []).concat([part]);
})(window);
