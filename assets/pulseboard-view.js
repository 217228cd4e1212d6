/* What a dashboard's panel shows of its points (pure: no DOM, no timers, no globals read).
 *
 * A panel's definition (live/dashboards/panels.py panel_settings) says its window (points or
 * seconds), unit, decimals, bounds and thresholds; the page keeps each trace's points and asks
 * here what to keep, what ranges to draw, how to write a value and in which colour.
 * Times are Plotly milliseconds on the server's clock.
 */
(function (root, factory) {
    "use strict";
    var view = factory();
    if (typeof module === "object" && module && module.exports) {
        module.exports = view;
    }
    if (root) {
        root.pulseboardView = view;
    }
})(typeof window !== "undefined" ? window : null, function () {
    "use strict";

    var STEP_PX = 4;  // a time axis moves in steps of this many pixels (steppedRange)
    var FRESH_SECONDS = 5;  // a point this young is "just now" (formatAge)

    function keepFrom(xs, panel, now) {
        // The index of the first point the panel keeps: its newest window_points, or those
        // within window_seconds of the server's now; every point when it has no window.
        var from = 0;
        if (panel.window_points) {
            from = Math.max(0, xs.length - panel.window_points);
        }
        if (panel.window_seconds) {
            var oldest = now - panel.window_seconds * 1000;
            while (from < xs.length && xs[from] < oldest) {
                from += 1;
            }
        }
        return from;
    }

    function xRange(panel, oldest, newest, now) {
        // The time axis ends at the server's now, so a silent series drifts left instead of
        // looking live; it starts a window before, or at the oldest point held.
        var end = newest === null ? now : Math.max(now, newest);
        var start = panel.window_seconds ? end - panel.window_seconds * 1000 : oldest;
        if (start === null || start >= end) {
            start = end - 60000;
        }
        return [start, end];
    }

    function steppedRange(drawn, wanted, widthPx) {
        // The time axis to draw: the one drawn while it still shows the wanted window to within
        // STEP_PX pixels, else the wanted one with STEP_PX pixels' room ahead of its end. A wall
        // graph 240 px wide over 1,000 s moves 0.24 px a second: sliding its axis with each point
        // was an animated redraw of ticks, grid and labels for less than a pixel, and the most
        // of a 32-panel wall's main thread (BENCHMARKS.md, the wall). Now it steps every few pixels.
        if (!drawn || !(widthPx > 0) || !(wanted[1] > wanted[0])) {
            return wanted;
        }
        var lead = STEP_PX * (wanted[1] - wanted[0]) / widthPx;
        var inside = function (value, low) { return value >= low && value <= low + lead; };
        if (inside(wanted[0], drawn[0]) && inside(wanted[1], drawn[1] - lead)) {
            return drawn;
        }
        return [wanted[0], wanted[1] + lead];
    }

    function valueRange(panel, low, high) {
        // The panel's own bounds when it has both; else around the values, as live/figures.py y_range.
        if (panel.min !== null && panel.min !== undefined && panel.max !== null && panel.max !== undefined) {
            return [panel.min, panel.max];
        }
        if (low === null) {
            return [0.0, 1.0];
        }
        var pad = (high / 2 - low / 2) * 0.16 || Math.abs(high) * 0.1 || 1.0;
        return [Math.max(-Number.MAX_VALUE, low - pad), Math.min(Number.MAX_VALUE, high + pad)];
    }

    function steadyRange(drawn, wanted) {
        // The value axis to draw: the one drawn while it holds the wanted one and that fills at
        // least half of it, else the wanted one. A series that creeps up or down moves its axis
        // (and its labels' width, which Plotly's auto-margin chases with redraws) every few
        // points, not with each.
        if (!drawn || wanted[0] < drawn[0] || wanted[1] > drawn[1]) {
            return wanted;
        }
        return wanted[1] - wanted[0] >= (drawn[1] - drawn[0]) / 2 ? drawn : wanted;
    }

    function thresholdColor(value, thresholds) {
        // The colour of the highest threshold the value has reached, or null (the page's text colour).
        var color = null;
        (thresholds || []).forEach(function (threshold) {
            if (value >= threshold.value) {
                color = threshold.color;
            }
        });
        return color;
    }

    function decimalsFor(value, decimals) {
        if (decimals !== null && decimals !== undefined) {
            return decimals;
        }
        var size = Math.abs(value);
        return size >= 100 ? 0 : size >= 10 ? 1 : 2;
    }

    function withUnit(text, unit) {
        // "71.3%" and "21.5°C" read as one; "512 ms" and "3 req/s" need the space.
        if (!unit) {
            return text;
        }
        return /^[%°‰]/.test(unit) ? text + unit : text + " " + unit;
    }

    function formatValue(value, decimals, unit) {
        if (value === null || value === undefined || !isFinite(value)) {
            return "–";
        }
        var text = value.toFixed(decimalsFor(value, decimals));
        // A true minus sign, as the change is written; and no "-0.00" for a value that rounds to zero.
        text = Number(text) === 0 ? text.replace("-", "") : text.replace("-", "\u2212");
        return withUnit(text, unit);
    }

    function formatChange(first, last, decimals, unit) {
        // The change over the window, signed: "+2.5%", "−0.8 ms" (a true minus sign), "±0" (at the value's decimals: "±0.00").
        if (first === null || last === null || first === undefined || last === undefined) {
            return "";
        }
        var change = last - first;
        var text = Math.abs(change).toFixed(decimalsFor(last, decimals));
        if (Number(text) === 0) {
            return withUnit("±" + text, unit);
        }
        return withUnit((change > 0 ? "+" : "\u2212") + text, unit);
    }

    function formatAge(ms, staleSeconds) {
        // The age of a panel's newest point, as a wall screen shows it: "just now" for the first
        // few seconds (never past the panel's stale_seconds), so a series that arrives every second
        // does not rewrite its text twice a second (each a render: 8% of a 32-panel wall's main thread).
        if (ms === null || ms === undefined) {
            return "no data yet";
        }
        var seconds = Math.max(0, ms / 1000);
        if (seconds < Math.min(FRESH_SECONDS, staleSeconds || FRESH_SECONDS) || seconds < 1) {
            return "just now";
        }
        if (seconds < 120) {
            return Math.floor(seconds) + " s ago";
        }
        if (seconds < 7200) {
            return Math.floor(seconds / 60) + " min ago";
        }
        if (seconds < 172800) {
            return Math.floor(seconds / 3600) + " h ago";
        }
        return Math.floor(seconds / 86400) + " d ago";
    }

    function isStale(panel, ageMs) {
        return Boolean(panel.stale_seconds) && ageMs !== null && ageMs > panel.stale_seconds * 1000;
    }

    function gaugeFraction(value, panel) {
        // Where the value stands between the gauge's min and max, clamped to [0, 1].
        var low = panel.min === null || panel.min === undefined ? 0 : panel.min;
        var high = panel.max === null || panel.max === undefined ? 100 : panel.max;
        if (value === null || value === undefined || !isFinite(value) || high <= low) {
            return 0;
        }
        return Math.min(1, Math.max(0, (value - low) / (high - low)));
    }

    function capNote(capped) {
        // What a panel says when its cap left series out.
        return capped ? "showing " + capped[0] + " of " + capped[1] + " series" : "";
    }

    function formatClock(ms, offsetMinutes) {
        // A wall screen's clock, "HH:MM" (24 h), at the server's time in the viewer's zone:
        // offsetMinutes as Date.getTimezoneOffset gives it (minutes behind UTC).
        var local = new Date(ms - (offsetMinutes || 0) * 60000);
        var pad = function (n) { return (n < 10 ? "0" : "") + n; };
        return pad(local.getUTCHours()) + ":" + pad(local.getUTCMinutes());
    }

    function staleNote(count) {
        // What the kiosk strip says of the dashboard's stale panels (nothing when none is).
        return count > 0 ? count + " stale panel" + (count === 1 ? "" : "s") : "";
    }

    var TIME_FORMATS = [
        // Time-of-day tick labels with no date line under the first (a wall screen has a clock).
        {dtickrange: [null, 1000], value: "%H:%M:%S.%L"},
        {dtickrange: [1000, 60000], value: "%H:%M:%S"},
        {dtickrange: [60000, 86400000], value: "%H:%M"},
        {dtickrange: [86400000, null], value: "%b %-d"}
    ];

    function kioskLayout(rootPx, box) {
        // A line panel's text, margins and ticks on a wall screen: axis text at three quarters of
        // the page's (which grows with the screen in kiosk mode), margins in proportion, and at
        // most as many ticks as fit the panel's room (box: {width, height} in CSS px) level,
        // so that Plotly never turns the time labels on their side; and the lines' width.
        var size = Math.max(10, Math.round(0.75 * rootPx));
        var em = function (n) { return Math.round(n * size); };
        var layout = {
            font: {size: size},
            margin: {l: em(1), r: em(2.4), t: em(2.2), b: em(2)},  // r: half a time label past the last tick
            xaxis: {tickangle: 0, tickformatstops: TIME_FORMATS}
        };
        if (box) {
            // A time label is about 4 em wide (11:36:10) and wants 2 em of air; values a line each, 3 em apart.
            layout.xaxis.nticks = Math.max(2, Math.floor(box.width / (6 * size)));
            layout.yaxis = {nticks: Math.max(2, Math.floor(box.height / (4 * size)))};
        }
        return {layout: layout, lineWidth: Math.max(2, Math.round(size / 7.5))};
    }

    return {
        keepFrom: keepFrom,
        xRange: xRange,
        steppedRange: steppedRange,
        valueRange: valueRange,
        steadyRange: steadyRange,
        thresholdColor: thresholdColor,
        formatValue: formatValue,
        formatChange: formatChange,
        formatAge: formatAge,
        isStale: isStale,
        gaugeFraction: gaugeFraction,
        capNote: capNote,
        formatClock: formatClock,
        staleNote: staleNote,
        kioskLayout: kioskLayout
    };
});
