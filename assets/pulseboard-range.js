/* A dashboard's time range, pure: the URL's ?from=&to=, zooms read from Plotly's relayouts,
 * history merged with the live tail, the API's URLs (no DOM, no timers, no globals read).
 *
 * A range is {from, to} as the URL and GET /api/history take them (epoch seconds, ISO 8601, or
 * now-6h, now); null is live (the page as it always was). Times in the page are Plotly
 * milliseconds; Plotly's date axis shows and reports them as UTC wall times without a zone.
 */
(function (root, factory) {
    "use strict";
    var range = factory();
    if (typeof module === "object" && module && module.exports) {
        module.exports = range;
    }
    if (root) {
        root.pulseboardRange = range;
    }
})(typeof window === "undefined" ? null : window, function () {
    "use strict";

    var MAX_POINTS = 20000;  // live/timerange.py MAX_POINTS
    var MAX_SERIES = 100;    // live/timerange.py MAX_SERIES

    function fromSearch(search) {
        // The range a URL's query names, or null (live) when it names none.
        var query = new URLSearchParams(search || "");
        var from = (query.get("from") || "").trim();
        var to = (query.get("to") || "").trim();
        if (!from) {
            return null;
        }
        return {from: from, to: to || "now"};
    }

    function withRange(search, range) {
        // The query with the range in it (or out of it, for live), every other parameter kept.
        var query = new URLSearchParams(search || "");
        query.delete("from");
        query.delete("to");
        if (range) {
            query.set("from", range.from);
            query.set("to", range.to);
        }
        var text = query.toString();
        return text ? "?" + text : "";
    }

    function sliding(range) {
        // Whether the range ends at now: it moves on with the clock and takes live points.
        return !!range && /^now$/i.test(String(range.to).trim());
    }

    function still(range) {
        // Whether a range is in the past: nothing that arrives moves it.
        return !!range && !sliding(range);
    }

    function keepOperation(operation) {
        // Whether a board's patch operation may reach a line panel while a range is shown: not its
        // points nor its axis ranges (the range's are drawn instead); theme and size keys may.
        var at = operation.location || [];
        if (at[0] === "data") {
            return false;
        }
        return !(at[0] === "layout" && (at[1] === "xaxis" || at[1] === "yaxis") && at[2] === "range");
    }

    var STILL_PARTS = ["pb-graph", "pb-value", "pb-change", "pb-gauge", "pb-age", "pb-panel"];

    function stillPart(id) {
        // Whether a component id is a part of a panel a past range shows still (a stat's or a gauge's).
        return !!id && typeof id === "object" && STILL_PARTS.indexOf(id.type) >= 0;
    }

    function ageAtEnd(lastMs, endMs, formatAge) {
        // A still panel's age: of its value, told from the range's end, not from now.
        if (lastMs === null || lastMs === undefined) {
            return "no data by then";
        }
        var text = formatAge(Math.max(0, endMs - lastMs));
        return text === "just now" ? "at the range's end" : text.replace(/ ago$/, " before the range's end");
    }

    function toIso(value) {
        // A Plotly date (ms, or "2026-12-03 12:00:00.123" in UTC) as ISO 8601 with a Z, or null.
        var ms = typeof value === "number" ? value : Date.parse(String(value).trim().replace(" ", "T") + "Z");
        if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value.trim())) {
            ms = Date.parse(value.trim() + "T00:00:00Z");
        }
        return isFinite(ms) ? new Date(ms).toISOString() : null;
    }

    function zoom(relayout) {
        // What a relayout of a graph asks of the range: {from, to} (a drag across the time axis),
        // "back" (a double-click: autorange), or null (anything else: a pan of values, a theme).
        if (!relayout) {
            return null;
        }
        if (relayout["xaxis.autorange"] === true) {
            return "back";
        }
        // Only a user's drag says "xaxis.range[0]": an animation's end says "xaxis.range" (an array).
        var first = relayout["xaxis.range[0]"], last = relayout["xaxis.range[1]"];
        if (first === undefined || last === undefined) {
            return null;
        }
        var from = toIso(first), to = toIso(last);
        if (!from || !to || from >= to) {
            return null;
        }
        return {from: from, to: to};
    }

    function merge(history, live, start) {
        // One trace from the history read and the live points since: live ones newer than the
        // history's last point follow it (no seam, no point twice); points before start leave.
        var x = history.x.slice(), y = history.y.slice();
        var last = x.length ? x[x.length - 1] : -Infinity;
        for (var i = 0; i < live.x.length; i += 1) {
            if (live.x[i] > last) {
                x.push(live.x[i]);
                y.push(live.y[i]);
                last = live.x[i];
            }
        }
        var from = 0;
        while (from < x.length && x[from] < start) {
            from += 1;
        }
        return {x: x.slice(from), y: y.slice(from)};
    }

    function keepTail(tail, update, limit) {
        // A series' live tail with a frame's update in it (appended, or replaced by a reset's window),
        // its newest `limit` points kept.
        var x = update.replace ? (update.x || []).slice() : tail.x.concat(update.x || []);
        var y = update.replace ? (update.y || []).slice() : tail.y.concat(update.y || []);
        var from = Math.max(0, x.length - limit);
        return from ? {x: x.slice(from), y: y.slice(from)} : {x: x, y: y};
    }

    function slideEvery(spanMs, widthPx, fresh, leastMs) {
        // How often a sliding range is drawn again: as new points come (at most every leastMs), else
        // when the clock has moved it a pixel (a day over 1,000 pixels: every 86 s, not each second).
        if (fresh || !(spanMs > 0) || !(widthPx > 0)) {
            return leastMs;
        }
        return Math.max(leastMs, spanMs / widthPx);
    }

    function points(widthPx) {
        // How many points to ask for: two a pixel of the graph, within what the API allows.
        var wanted = Math.round(2 * (widthPx || 800));
        return Math.max(10, Math.min(MAX_POINTS, wanted));
    }

    function query(keys, range, extra) {
        var parts = keys.map(function (key) { return "series=" + encodeURIComponent(key); });
        parts.push("from=" + encodeURIComponent(range.from), "to=" + encodeURIComponent(range.to));
        Object.keys(extra || {}).forEach(function (name) {
            parts.push(name + "=" + encodeURIComponent(extra[name]));
        });
        return parts.join("&");
    }

    function panelsUrl(base, dashboard, panels, range, pointsWanted) {
        // GET /api/history of what these panels of the dashboard draw: one request for all of them.
        var parts = ["dashboard=" + encodeURIComponent(dashboard)].concat(panels.map(function (panel) {
            return "panel=" + encodeURIComponent(panel);
        }));
        return base + "/api/history?" + parts.join("&") + "&" + query([], range, {points: pointsWanted});
    }

    function exportUrl(base, keys, range) {
        // GET /api/export.csv of a panel's series over the range (the last hour when live).
        return base + "/api/export.csv?" + query(keys.slice(0, MAX_SERIES), range || {from: "now-1h", to: "now"});
    }

    function extent(traces) {
        // {low, high} of every trace's values, nulls when there are none.
        var low = null, high = null;
        traces.forEach(function (trace) {
            trace.y.forEach(function (value) {
                if (low === null || value < low) { low = value; }
                if (high === null || value > high) { high = value; }
            });
        });
        return {low: low, high: high};
    }

    return {
        fromSearch: fromSearch,
        withRange: withRange,
        sliding: sliding,
        still: still,
        keepOperation: keepOperation,
        stillPart: stillPart,
        ageAtEnd: ageAtEnd,
        toIso: toIso,
        zoom: zoom,
        merge: merge,
        keepTail: keepTail,
        slideEvery: slideEvery,
        points: points,
        panelsUrl: panelsUrl,
        exportUrl: exportUrl,
        extent: extent
    };
});
