/* A dashboard page's panels: line, stat and gauge, filled from its stream (effects).
 *
 * The server sends a dashboard's screens only its series, each naming the panels it is
 * drawn in (live/dashboards/audience.py); the page keeps each panel's points, trims them
 * to the panel's window, and draws: a line panel by one Dash Patch per animation (as the
 * automatic page does), a stat's value and change as text, a gauge as a CSS arc. A timer
 * at the frame rate keeps the ages, the stale marks and the moving time axes current
 * between frames, on the server's clock (each frame carries the server's now).
 *
 * Loaded before pulseboard.js (file names sort "-d" < "-u" < "-v" < "."), used by it.
 */
(function (root) {
    "use strict";

    var MAX_DELETES = 100;  // past this many points dropped since a draw, a trace's window is assigned whole
    var PANELS_PER_TASK = 4;  // a line panel's draw is a data-only animation: a few share a task (pulseboard-tasks.js)

    function create(page, tools) {
        var U = root.pulseboardUpdates;
        var V = root.pulseboardView;
        var tasks = tools.tasks.create(null, PANELS_PER_TASK);
        var board = {
            panels: new Map(),   // panel id -> panel state
            traces: new Map(),   // series key -> [panel ids]
            offset: 0,           // server's clock minus this browser's, in ms
            timer: null,
            strip: {}            // what the kiosk strip shows: id -> text
        };
        // A line panel off screen (scrolled away, another dashboard of a playlist, a hidden tab)
        // is not drawn: its points are kept, and drawn once when it comes into view.
        var onscreen = tools.onscreen.create(function (id) {
            return root.document.getElementById(JSON.stringify({panel: id, type: "pb-panel"}));
        }, function (ids) {
            ids.forEach(function (id) {
                var panel = board.panels.get(id);
                if (panel && panel.dirty) {
                    draw(panel);
                }
            });
        });

        function serverNow() {
            return Date.now() + board.offset;
        }

        function partId(kind, id) {
            return {type: kind, panel: id};
        }

        function setPart(kind, panel, props) {
            tools.setProps(partId(kind, panel.id), props);
        }

        function setPanels(specs) {
            board.panels.clear();
            board.traces.clear();
            (specs || []).forEach(function (spec) {
                board.panels.set(spec.id, {
                    id: spec.id, spec: spec, keys: [], data: new Map(), drawn: 0,
                    dirty: false, busy: null, lastDraw: 0, shown: {}
                });
            });
        }

        function clock(now) {
            if (now) {
                board.offset = now - Date.now();
            }
        }

        function place(key, trace, panels) {
            // A series the page has not drawn yet, in each panel the server placed it in.
            board.traces.set(key, panels);
            panels.forEach(function (id) {
                var panel = board.panels.get(id);
                if (!panel) {
                    return;
                }
                if (!panel.data.has(key)) {
                    panel.keys.push(key);
                }
                panel.data.set(key, {name: trace.name, labels: trace.labels, x: [], y: [], whole: true, pending: null});
            });
        }

        function apply(key, update) {
            (board.traces.get(key) || []).forEach(function (id) {
                var panel = board.panels.get(id);
                var points = panel && panel.data.get(key);
                if (!points) {
                    return;
                }
                if (update.replace) {
                    points.x = (update.x || []).slice();
                    points.y = (update.y || []).slice();
                    points.whole = true;
                } else {
                    Array.prototype.push.apply(points.x, update.x || []);
                    Array.prototype.push.apply(points.y, update.y || []);
                    changed(points, update.x || [], update.y || [], 0);
                }
                if (update.drop) {
                    points.x.splice(0, update.drop);
                    points.y.splice(0, update.drop);
                    changed(points, [], [], update.drop);
                }
                panel.dirty = true;
            });
        }

        function changed(points, x, y, dropped) {
            // What the graph lacks of a trace since it was last drawn: points added at the end and
            // dropped from the front, sent as Extend and Delete. Assigning the whole window (1,000
            // points) in every patch made each draw cost 1.6 times a baseline's extendTraces
            // (BENCHMARKS.md, the wall); many drops at once go as the whole window after all.
            if (points.whole) {
                return;
            }
            var pending = points.pending || {x: [], y: [], drop: 0};
            pending.x = pending.x.concat(x);
            pending.y = pending.y.concat(y);
            pending.drop += dropped;
            points.pending = pending;
            if (pending.drop > MAX_DELETES) {
                points.whole = true;
                points.pending = null;
            }
        }

        function trim(panel, now) {
            // Keep only the panel's window of each trace (cheap when nothing leaves: keepFrom
            // stops at the first point kept).
            panel.data.forEach(function (points) {
                var from = V.keepFrom(points.x, panel.spec, now);
                if (from > 0) {
                    points.x.splice(0, from);
                    points.y.splice(0, from);
                    changed(points, [], [], from);
                    panel.dirty = true;
                }
            });
        }

        function newestOf(panel) {
            var newest = null;
            panel.data.forEach(function (points) {
                var last = points.x.length ? points.x[points.x.length - 1] : null;
                if (last !== null && (newest === null || last > newest)) {
                    newest = last;
                }
            });
            return newest;
        }

        function extentOf(panel) {
            // [oldest, newest, low, high] of what the panel holds: only when it is about to be drawn.
            var oldest = null, low = null, high = null;
            panel.data.forEach(function (points) {
                if (!points.x.length) {
                    return;
                }
                oldest = oldest === null ? points.x[0] : Math.min(oldest, points.x[0]);
                points.y.forEach(function (value) {
                    if (low === null || value < low) { low = value; }
                    if (high === null || value > high) { high = value; }
                });
            });
            return {oldest: oldest, newest: newestOf(panel), low: low, high: high};
        }

        function hold(panel) {
            // As the automatic page does (pulseboard.js hold): one patch per animation; a
            // panel that changed meanwhile is drawn once its graph has settled.
            var gd = tools.graphDiv(panel.id);
            var release = function () {
                clearTimeout(panel.busy);
                panel.busy = null;
                if (panel.dirty) {
                    draw(panel);
                }
            };
            if (gd) {
                gd.__pulseboardSettled = release;
            }
            var fallback = 3 * page.settings.graph.animation_options.transition.duration + 500;
            var check = function () {
                var drawing = tools.graphDiv(panel.id);
                if (drawing && drawing.__pulseboardDrawing > 0) {
                    panel.busy = setTimeout(check, fallback);
                } else {
                    release();
                }
            };
            panel.busy = setTimeout(check, fallback);
        }

        function lineTrace(panel, key) {
            var points = panel.data.get(key);
            var trace = U.newTrace(page.settings.templates.trace, points.name, points.labels, [], [], key);
            trace.hovertemplate = panel.spec.hover;
            if (board.rootPx) {
                trace.line = Object.assign({}, trace.line, {width: V.kioskLayout(board.rootPx).lineWidth});
            }
            return trace;
        }

        function bodySize(panel) {
            // The room a panel's graph has, in CSS pixels (its body: the grid has laid it out by the first draw).
            var part = root.document.getElementById(JSON.stringify({panel: panel.id, type: "pb-panel"}));
            var body = part && part.querySelector(".pb-panel-body");
            return body ? {width: body.clientWidth, height: body.clientHeight} : null;
        }

        function sameRange(a, b) {
            return !!(a && b) && a[0] === b[0] && a[1] === b[1];
        }

        function plot(panel, extent, now, slideOnly) {
            // One Patch for the panel's graph: traces added, every trace's points assigned, the ranges.
            var ops = [];
            var keys = panel.spec.kind === "line" ? panel.keys : panel.keys.slice(0, 1);
            keys.slice(panel.drawn).forEach(function (key) {
                var trace = panel.spec.kind === "line" ? lineTrace(panel, key) : sparkTrace();
                ops.push(U.operation("Append", ["data"], trace));
            });
            var drawn = panel.drawn;
            panel.drawn = keys.length;
            if (!slideOnly) {
                keys.forEach(function (key, index) {
                    var points = panel.data.get(key);
                    if (index >= drawn || points.whole) {
                        ops.push(U.operation("Assign", ["data", index, "x"], points.x.slice()));
                        ops.push(U.operation("Assign", ["data", index, "y"], points.y.slice()));
                    } else if (points.pending) {
                        ops = ops.concat(U.operations(points.pending, index));
                    }
                    ops.push(U.operation("Assign", ["data", index, "mode"], U.traceMode(points.x.length)));
                    points.whole = false;
                    points.pending = null;
                });
            }
            var wantedX = V.xRange(panel.spec, extent.oldest, extent.newest, now);
            var xRange = panel.spec.kind === "line"
                ? V.steppedRange(panel.xRange, wantedX, tools.plotWidth(panel.id))
                : [extent.oldest === null ? now - 60000 : extent.oldest, extent.newest === null ? now : extent.newest];
            var yRange = panel.spec.kind === "line"
                ? V.steadyRange(panel.yRange, V.valueRange(panel.spec, extent.low, extent.high))
                : V.valueRange({}, extent.low, extent.high);
            // Only the ranges that moved: an axis in the patch is an axis Plotly animates.
            if (xRange !== panel.xRange) {
                ops.push(U.operation("Assign", ["layout", "xaxis", "range"], xRange));
                panel.xRange = xRange;
            }
            if (!sameRange(yRange, panel.yRange)) {
                ops.push(U.operation("Assign", ["layout", "yaxis", "range"], yRange));
                panel.yRange = yRange;
            }
            if (!ops.length) {
                panel.lastDraw = Date.now();
                return;  // a slide that stays within the drawn axis: nothing to draw
            }
            var first = !panel.plotted;
            panel.plotted = true;
            if (first && board.rootPx && panel.spec.kind === "line") {
                ops = ops.concat(U.themePatch(V.kioskLayout(board.rootPx, bodySize(panel)).layout).operations);
            }
            tools.hookPlotly();
            hold(panel);
            // A range-only patch is never drawn by Plotly.animate (DESIGN.md), nor is a layout change
            // (the kiosk's sizes): those, and the first fill from empty, are drawn without animation.
            tools.setProps(tools.graphId(panel.id), {
                figure: {__dash_patch_update: U.PATCH_KEY, operations: ops},
                animate: !slideOnly && !first && page.settings.graph.animate
            });
            panel.lastDraw = Date.now();
        }

        function sparkTrace() {
            // The line in the theme's first colour (its colourway, re-themed with the page); the area
            // a faint blue that reads on either background.
            return {type: "scatter", mode: "lines", x: [], y: [], fill: "tozeroy", hoverinfo: "skip",
                line: {width: board.rootPx ? V.kioskLayout(board.rootPx).lineWidth : 2},
                fillcolor: "rgba(98, 143, 205, 0.16)"};
        }

        function show(panel, kind, props) {
            // set_props only when the text or colour changed: each is a render of that component.
            var text = JSON.stringify(props);
            if (panel.shown[kind] !== text) {
                panel.shown[kind] = text;
                setPart(kind, panel, props);
            }
        }

        function lastOf(panel) {
            var points = panel.keys.length ? panel.data.get(panel.keys[0]) : null;
            if (!points || !points.y.length) {
                return {first: null, last: null};
            }
            return {first: points.y[0], last: points.y[points.y.length - 1]};
        }

        function showValue(panel) {
            var spec = panel.spec;
            var values = lastOf(panel);
            var color = values.last === null ? null : V.thresholdColor(values.last, spec.thresholds);
            var style = color ? {color: color} : {};
            show(panel, "pb-value", {children: V.formatValue(values.last, spec.decimals, spec.unit), style: style});
            if (spec.kind === "stat") {
                show(panel, "pb-change", {children: V.formatChange(values.first, values.last, spec.decimals, spec.unit)});
            } else {
                show(panel, "pb-gauge", {style: {
                    "--pb-fill": V.gaugeFraction(values.last, spec),
                    "--pb-color": color || "var(--pb-accent)"
                }});
            }
        }

        function showAge(panel, newest, now) {
            var age = newest === null ? null : now - newest;
            show(panel, "pb-age", {children: V.formatAge(age, panel.spec.stale_seconds)});
            var stale = V.isStale(panel.spec, age);
            panel.stale = stale;
            show(panel, "pb-panel", {className: "pb-panel pb-kind-" + panel.spec.kind + (stale ? " pb-stale" : "")});
        }

        function showStrip(id, text) {
            if (board.strip[id] !== text) {
                board.strip[id] = text;
                tools.setProps(id, {children: text});
            }
        }

        function strip() {
            // The header's count of stale panels, and the clock (shown in kiosk mode), on the server's clock.
            var stale = 0;
            board.panels.forEach(function (panel) {
                stale += panel.stale ? 1 : 0;
            });
            var now = serverNow();
            showStrip("pb-stale-count", V.staleNote(stale));
            showStrip("pb-clock", V.formatClock(now, new Date(now).getTimezoneOffset()));
        }

        function draw(panel, slide) {
            // Called for every panel on each tick: the age is cheap, the drawing only when needed.
            var now = serverNow();
            if (panel.dirty || panel.spec.window_points || panel.spec.window_seconds) {
                trim(panel, now);
            }
            showAge(panel, newestOf(panel), now);
            if (!panel.dirty && !slide) {
                return;
            }
            if (panel.spec.kind !== "line" && panel.dirty) {
                showValue(panel);
            }
            if (panel.spec.kind === "gauge") {
                panel.dirty = false;
                return;
            }
            if (panel.busy || !onscreen.isShown(panel.id)) {
                return;  // drawn when the graph settles (hold), or when it comes into view
            }
            var slideOnly = !panel.dirty;
            panel.dirty = false;
            plot(panel, extentOf(panel), now, slideOnly);
        }

        function tick() {
            // Between frames: ages, stale marks, and line panels' time axes moving with the clock.
            board.panels.forEach(function (panel) {
                var slide = panel.spec.kind === "line" && Date.now() - panel.lastDraw >= 1000;
                draw(panel, slide);
            });
            strip();
        }

        function notes(capped) {
            board.panels.forEach(function (panel) {
                show(panel, "pb-note", {children: V.capNote((capped || {})[panel.id])});
            });
        }

        function showSlide(next) {
            // A playlist's next dashboard: one grid hidden, the next shown; its panels, kept current
            // while hidden, are drawn as they come on screen (onscreen).
            tools.setProps({type: "pb-slide", slide: board.slide}, {hidden: true});
            tools.setProps({type: "pb-slide", slide: next}, {hidden: false});
            tools.setProps("pb-title", {children: board.slides[next]});
            board.slide = page.slide = next;
            page.rotations = (page.rotations || 0) + 1;
        }

        function rotate(cursor) {
            // The stream and the page stay; only which dashboard is shown changes, every `interval` s,
            // or at once with the arrow keys (the timer starts again from there).
            board.slides = cursor.slides || [];
            board.slide = 0;
            if (board.slides.length < 2) {
                return;
            }
            if (page.slide > 0 && page.slide < board.slides.length) {
                showSlide(page.slide);  // drawn again after an edit of the file: the same dashboard stays
            }
            var step = function (by) {
                showSlide((board.slide + by + board.slides.length) % board.slides.length);
            };
            var every = function () {
                clearInterval(board.rotation);
                board.rotation = setInterval(function () { step(1); }, cursor.interval * 1000);
            };
            board.keys = function (event) {
                if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
                    step(event.key === "ArrowRight" ? 1 : -1);
                    every();
                }
            };
            root.document.addEventListener("keydown", board.keys);
            every();
        }

        board.start = function (cursor) {
            setPanels(cursor.dashboardPanels);
            clearInterval(board.timer);
            rotate(cursor);
            var every = Math.max(100, Math.round(1000 / (page.settings.frameRate || 5)));
            board.timer = setInterval(tick, every);
            strip();
            // A wall screen's text grows with the screen (the stylesheet's rem on a kiosk page): the graphs' too.
            board.rootPx = cursor.kiosk ? parseFloat(root.getComputedStyle(root.document.documentElement).fontSize) : null;
        };

        board.onReset = function (reset) {
            clock(reset.now);
            Object.keys(reset.traces).forEach(function (key) {
                var trace = reset.traces[key];
                place(key, trace, trace.panels || []);
                apply(key, {x: trace.x, y: trace.y, replace: true});
            });
            notes(reset.capped);
            board.panels.forEach(function (panel) { draw(panel); });
        };

        board.onFrame = function (frame) {
            clock(frame.now);
            var updates = frame.updates || {};
            Object.keys(frame.new || {}).forEach(function (key) {
                if (!board.traces.has(key)) {
                    place(key, frame.new[key], frame.new[key].panels || []);
                }
            });
            Object.keys(updates).forEach(function (key) {
                apply(key, updates[key]);
            });
            if (frame.capped) {
                notes(frame.capped);
            }
            board.panels.forEach(function (panel) {
                if (panel.dirty) {
                    tasks.add(panel.id, function () { draw(panel); });
                }
            });
        };

        board.stop = function () {
            clearInterval(board.timer);
            clearInterval(board.rotation);
            if (board.keys) {
                root.document.removeEventListener("keydown", board.keys);
            }
            onscreen.forget();
            tasks.clear();  // a waiting draw of a panel that is going away
            board.panels.forEach(function (panel) { clearTimeout(panel.busy); });
        };

        board.forget = function (panel) {
            // What the panel's graph shows is not the board's any more (another script drew it, as
            // history does): its next draw assigns every trace, range and text whole.
            panel.drawn = 0;
            panel.plotted = false;
            panel.dirty = true;
            panel.shown = {};
            panel.xRange = panel.yRange = null;
            panel.data.forEach(function (points) {
                points.whole = true;
                points.pending = null;
            });
        };

        board.relayout = function (layout) {
            // A theme: every graph's layout keys, drawn without animation.
            board.panels.forEach(function (panel) {
                if (panel.spec.kind !== "gauge") {
                    tools.setProps(tools.graphId(panel.id), {figure: U.themePatch(layout), animate: false});
                }
            });
        };

        return board;
    }

    root.PulseboardDashboard = {create: create};
})(window);
