/* Looking back, the reads: each panel's series over the range from GET /api/history (effects).
 *
 * A part of the history controller (pulseboard-history.js, which applies it to each one it makes):
 * it adds load() and plotWidth() to the controller `c`. A line panel asks for two points a pixel
 * of its plot area; a stat's sparkline the same of its own; a gauge the fewest (it shows one
 * value: the answer's `last`). An answer to a range no longer asked for is dropped; a refusal is
 * said in the picker, and the URL goes back to the range drawn.
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

        function read(panelId, range) {
            // One panel's answers: a line panel's every series (MAX_SERIES a request), a stat's or gauge's first.
            var kind = c.kindOf(panelId);
            var keys = kind === "line" ? view.keys.get(panelId) : view.keys.get(panelId).slice(0, 1);
            var points = kind === "gauge" ? STILL_POINTS : R.points(c.plotWidth(panelId));
            return Promise.all(R.historyUrls(c.base(), keys, range, points).map(fetchJson)).then(function (answers) {
                return {panel: panelId, answers: answers};
            });
        }

        function keepAnswers(found) {
            found.forEach(function (one) {
                var traces = new Map();
                one.answers.forEach(function (answer) {
                    view.bounds = [Date.parse(answer.from), Date.parse(answer.to)];
                    Object.keys(answer.series).forEach(function (key) {
                        traces.set(key, answer.series[key]);
                    });
                });
                view.history.set(one.panel, traces);
            });
        }

        c.load = function (before) {
            // Every panel drawn here, over the range; then every one of them drawn.
            var generation = ++view.generation;
            var range = view.range;
            view.askedAt = root.performance.now();
            c.say(view.back.length ? c.zoomNote() : "loading…");
            var panels = [];
            view.keys.forEach(function (keys, panelId) {
                if (c.drawn(panelId) && keys.length) {
                    panels.push(panelId);
                }
            });
            Promise.all(panels.map(function (panelId) { return read(panelId, range); })).then(function (found) {
                if (generation !== view.generation) {
                    return;  // a newer range was asked for meanwhile
                }
                view.answeredAt = root.performance.now();
                keepAnswers(found);
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
