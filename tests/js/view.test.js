// What a dashboard's panel shows (assets/pulseboard-view.js), function by function, as tables:
// each row is one case with the answer written out, so a changed rule fails on the row that shows it.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const V = require("../../assets/pulseboard-view.js");

const MAX = Number.MAX_VALUE;
const MINUS = "\u2212";

function panel(fields) {
    // A panel's settings as live/dashboards/panels.py panel_settings sends them: every key, null when unset.
    return {
        min: null, max: null, thresholds: [], stale_seconds: null, window_seconds: null, window_points: null,
        ...fields,
    };
}

function table(name, rows, check) {
    for (const row of rows) {
        test(`${name}: ${row.name}`, () => check(row));
    }
}

test("the module exports every function the page uses, and nothing else", () => {
    assert.deepStrictEqual(Object.keys(V).sort(), [
        "capNote", "formatAge", "formatChange", "formatClock", "formatValue", "gaugeFraction", "isStale",
        "keepFrom", "kioskLayout", "staleNote", "steadyRange", "steppedRange", "thresholdColor", "valueRange",
        "xRange",
    ]);
});

const XS = [0, 1000, 2000, 3000, 4000];

table("keepFrom", [
    {name: "no window keeps every point", panel: {}, xs: XS, now: 9000, from: 0},
    {name: "no points", panel: {window_points: 3}, xs: [], now: 0, from: 0},
    {name: "window_points keeps the newest n", panel: {window_points: 2}, xs: XS, now: 4000, from: 3},
    {name: "window_points larger than the points held", panel: {window_points: 10}, xs: XS, now: 4000, from: 0},
    {name: "window_points equal to the points held", panel: {window_points: 5}, xs: XS, now: 4000, from: 0},
    {name: "window_seconds keeps a point exactly at its start", panel: {window_seconds: 2}, xs: XS, now: 4000, from: 2},
    {name: "window_seconds ends at the server's now, not the newest point", panel: {window_seconds: 2}, xs: XS,
        now: 5500, from: 4},
    {name: "window_seconds past every point keeps none", panel: {window_seconds: 2}, xs: XS, now: 60000, from: 5},
    {name: "fractional window_seconds", panel: {window_seconds: 0.5}, xs: XS, now: 4000, from: 4},
    {name: "window_seconds wider than the points held", panel: {window_seconds: 3600}, xs: XS, now: 4000, from: 0},
    {name: "both windows: the narrower wins", panel: {window_points: 4, window_seconds: 1}, xs: XS, now: 4000, from: 3},
], (row) => {
    assert.equal(V.keepFrom(row.xs, panel(row.panel), row.now), row.from);
});

table("xRange", [
    {name: "a time window ends at now and starts a window before", panel: {window_seconds: 300},
        oldest: 1000, newest: 50000, now: 400000, range: [100000, 400000]},
    {name: "a silent series drifts left: the axis still ends at now", panel: {window_seconds: 10},
        oldest: 0, newest: 5000, now: 60000, range: [50000, 60000]},
    {name: "a point ahead of the server's clock moves the end to it", panel: {window_seconds: 10},
        oldest: 0, newest: 70000, now: 60000, range: [60000, 70000]},
    {name: "no time window starts at the oldest point", panel: {window_points: 100},
        oldest: 1000, newest: 50000, now: 60000, range: [1000, 60000]},
    {name: "no window at all starts at the oldest point", panel: {},
        oldest: 2000, newest: 3000, now: 3000, range: [2000, 3000]},
    {name: "no points yet: the minute before now", panel: {},
        oldest: null, newest: null, now: 100000, range: [40000, 100000]},
    {name: "no points yet with a time window: the window before now", panel: {window_seconds: 30},
        oldest: null, newest: null, now: 100000, range: [70000, 100000]},
    {name: "one point at now: the minute before now, not an empty axis", panel: {},
        oldest: 100000, newest: 100000, now: 100000, range: [40000, 100000]},
], (row) => {
    assert.deepStrictEqual(V.xRange(panel(row.panel), row.oldest, row.newest, row.now), row.range);
});

table("valueRange", [
    {name: "min and max given are the range, whatever the data", panel: {min: 0, max: 100}, low: -5, high: 500,
        range: [0, 100]},
    {name: "min and max given with no data", panel: {min: -1, max: 1}, low: null, high: null, range: [-1, 1]},
    {name: "a zero min counts as given", panel: {min: 0, max: 0.5}, low: 3, high: 4, range: [0, 0.5]},
    {name: "no data and no bounds", panel: {}, low: null, high: null, range: [0, 1]},
    {name: "from data: 8% of the span of room each side", panel: {}, low: 0, high: 100, range: [-8, 108]},
    {name: "only min given: from data", panel: {min: 0}, low: 10, high: 20, range: [9.2, 20.8]},
    {name: "only max given: from data", panel: {max: 100}, low: 10, high: 20, range: [9.2, 20.8]},
    {name: "a single value: 10% of it each side", panel: {}, low: 50, high: 50, range: [45, 55]},
    {name: "a single negative value", panel: {}, low: -50, high: -50, range: [-55, -45]},
    {name: "a single zero: one each side", panel: {}, low: 0, high: 0, range: [-1, 1]},
    {name: "the largest doubles stay finite", panel: {}, low: -MAX, high: MAX, range: [-MAX, MAX]},
    {name: "a single largest double stays finite", panel: {}, low: MAX, high: MAX, range: [MAX * 0.9, MAX]},
    {name: "a single most negative double stays finite", panel: {}, low: -MAX, high: -MAX, range: [-MAX, -MAX * 0.9]},
], (row) => {
    const range = V.valueRange(panel(row.panel), row.low, row.high);
    assert.ok(range.every(Number.isFinite), `not finite: ${range}`);
    assert.equal(range.length, 2);
    assert.ok(Math.abs(range[0] - row.range[0]) <= Math.abs(row.range[0]) * 1e-12, `${range} != ${row.range}`);
    assert.ok(Math.abs(range[1] - row.range[1]) <= Math.abs(row.range[1]) * 1e-12, `${range} != ${row.range}`);
});

const THRESHOLDS = [{value: 70, color: "#d9730d"}, {value: 90, color: "#e5484d"}];

table("thresholdColor", [
    {name: "below the first threshold: the page's own colour", value: 69.9, thresholds: THRESHOLDS, color: null},
    {name: "at the first threshold", value: 70, thresholds: THRESHOLDS, color: "#d9730d"},
    {name: "between thresholds", value: 89.99, thresholds: THRESHOLDS, color: "#d9730d"},
    {name: "at the last threshold", value: 90, thresholds: THRESHOLDS, color: "#e5484d"},
    {name: "above the last threshold", value: 1e9, thresholds: THRESHOLDS, color: "#e5484d"},
    {name: "far below", value: -1e9, thresholds: THRESHOLDS, color: null},
    {name: "a negative threshold", value: -5, thresholds: [{value: -10, color: "#3b82f6"}], color: "#3b82f6"},
    {name: "no thresholds", value: 95, thresholds: [], color: null},
    {name: "thresholds unset", value: 95, thresholds: undefined, color: null},
], (row) => {
    assert.equal(V.thresholdColor(row.value, row.thresholds), row.color);
});

table("formatValue", [
    {name: "decimals null under 10: two decimals", args: [3.14159, null, ""], text: "3.14"},
    {name: "decimals null from 10: one decimal", args: [12.345, null, ""], text: "12.3"},
    {name: "decimals null from 100: none", args: [123.456, null, ""], text: "123"},
    {name: "decimals null, size taken without the sign; a true minus", args: [-12.345, null, ""], text: "\u221212.3"},
    {name: "a negative that rounds to zero has no sign", args: [-0.001, null, "ms"], text: "0.00 ms"},
    {name: "decimals undefined is null", args: [3.14159, undefined, ""], text: "3.14"},
    {name: "decimals given win over size", args: [123.456, 2, ""], text: "123.46"},
    {name: "decimals 0", args: [3.6, 0, ""], text: "4"},
    {name: "'%' stuck to the number", args: [71.34, 1, "%"], text: "71.3%"},
    {name: "'°C' stuck to the number", args: [21.5, 1, "°C"], text: "21.5°C"},
    {name: "'‰' stuck to the number", args: [3, 0, "‰"], text: "3‰"},
    {name: "'ms' after a space", args: [512, null, "ms"], text: "512 ms"},
    {name: "'req/s' after a space", args: [3, 0, "req/s"], text: "3 req/s"},
    {name: "no unit", args: [5, 1, ""], text: "5.0"},
    {name: "unit undefined", args: [5, 1, undefined], text: "5.0"},
    {name: "null: a dash, without the unit", args: [null, 1, "%"], text: "–"},
    {name: "NaN: a dash", args: [NaN, 1, "%"], text: "–"},
    {name: "Infinity: a dash", args: [Infinity, 1, "%"], text: "–"},
], (row) => {
    assert.equal(V.formatValue(...row.args), row.text);
});

table("formatChange", [
    {name: "a rise: a plus sign", args: [10, 12.5, null, "%"], text: "+2.5%"},
    {name: "a fall: a true minus sign and the unit after a space", args: [1.3, 0.5, 1, "ms"], text: `${MINUS}0.8 ms`},
    {name: "a fall with no unit, decimals by the last value", args: [12, 9.5, null, ""], text: `${MINUS}2.50`},
    {name: "decimals by the last value's size", args: [50, 150, null, ""], text: "+100"},
    {name: "decimals given", args: [1, 2, 3, "°C"], text: "+1.000°C"},
    {name: "no change at 0 decimals: ±0", args: [150, 150, null, ""], text: "±0"},
    {name: "a change that rounds to nothing: ±0, never −0", args: [100.4, 100.2, null, "%"], text: "±0%"},
    {name: "a change that rounds to nothing at two decimals", args: [5.001, 5, null, ""], text: "±0.00"},
    {name: "no first value: nothing", args: [null, 5, 1, "%"], text: ""},
    {name: "no last value: nothing", args: [5, undefined, 1, "%"], text: ""},
], (row) => {
    assert.equal(V.formatChange(...row.args), row.text);
});

table("formatAge", [
    {name: "null: no data yet", ms: null, text: "no data yet"},
    {name: "undefined: no data yet", ms: undefined, text: "no data yet"},
    {name: "0 ms: just now", ms: 0, text: "just now"},
    {name: "under a second: just now", ms: 999, text: "just now"},
    {name: "ahead of the server's clock: just now", ms: -5000, text: "just now"},
    {name: "under five seconds: just now", ms: 4999, text: "just now"},
    {name: "five seconds", ms: 5000, text: "5 s ago"},
    {name: "stale after 2 s: seconds from 2 s", ms: 2000, stale: 2, text: "2 s ago"},
    {name: "stale after 0.5 s: seconds from 1 s", ms: 1000, stale: 0.5, text: "1 s ago"},
    {name: "stale after 60 s: just now under 5 s still", ms: 4000, stale: 60, text: "just now"},
    {name: "seconds, rounded down", ms: 42900, text: "42 s ago"},
    {name: "just under two minutes: seconds", ms: 119999, text: "119 s ago"},
    {name: "two minutes", ms: 120000, text: "2 min ago"},
    {name: "minutes, rounded down", ms: 59.9 * 60000, text: "59 min ago"},
    {name: "just under two hours: minutes", ms: 7199999, text: "119 min ago"},
    {name: "two hours", ms: 7200000, text: "2 h ago"},
    {name: "just under two days: hours", ms: 172799999, text: "47 h ago"},
    {name: "two days", ms: 172800000, text: "2 d ago"},
    {name: "a year", ms: 365 * 86400000, text: "365 d ago"},
], (row) => {
    assert.equal(V.formatAge(row.ms, row.stale), row.text);
});

table("isStale", [
    {name: "no stale_seconds: never stale", panel: {}, age: 1e12, stale: false},
    {name: "no data yet: not stale", panel: {stale_seconds: 10}, age: null, stale: false},
    {name: "younger than stale_seconds", panel: {stale_seconds: 10}, age: 9999, stale: false},
    {name: "exactly stale_seconds old: not yet", panel: {stale_seconds: 10}, age: 10000, stale: false},
    {name: "older than stale_seconds", panel: {stale_seconds: 10}, age: 10001, stale: true},
    {name: "fractional stale_seconds", panel: {stale_seconds: 0.5}, age: 600, stale: true},
], (row) => {
    assert.equal(V.isStale(panel(row.panel), row.age), row.stale);
});

table("gaugeFraction", [
    {name: "halfway", value: 50, panel: {min: 0, max: 100}, fraction: 0.5},
    {name: "at min", value: 10, panel: {min: 10, max: 20}, fraction: 0},
    {name: "at max", value: 20, panel: {min: 10, max: 20}, fraction: 1},
    {name: "below min clamps to 0", value: -1e9, panel: {min: 0, max: 100}, fraction: 0},
    {name: "above max clamps to 1", value: 1e9, panel: {min: 0, max: 100}, fraction: 1},
    {name: "negative bounds", value: -15, panel: {min: -20, max: -10}, fraction: 0.5},
    {name: "no bounds: 0 to 100", value: 25, panel: {}, fraction: 0.25},
    {name: "no value", value: null, panel: {min: 0, max: 100}, fraction: 0},
    {name: "not finite", value: NaN, panel: {min: 0, max: 100}, fraction: 0},
    {name: "max not above min", value: 5, panel: {min: 10, max: 10}, fraction: 0},
], (row) => {
    assert.equal(V.gaugeFraction(row.value, panel(row.panel)), row.fraction);
});

table("capNote", [
    {name: "not capped: nothing", capped: undefined, text: ""},
    {name: "null: nothing", capped: null, text: ""},
    {name: "capped: shown of matched", capped: [20, 10000], text: "showing 20 of 10000 series"},
    {name: "one shown", capped: [1, 2], text: "showing 1 of 2 series"},
], (row) => {
    assert.equal(V.capNote(row.capped), row.text);
});

const NOON = Date.UTC(2026, 11, 3, 12, 5, 59, 999);

table("formatClock", [
    {name: "UTC: hours and minutes, seconds dropped", ms: NOON, offset: 0, text: "12:05"},
    {name: "east of UTC (getTimezoneOffset is negative)", ms: NOON, offset: -60, text: "13:05"},
    {name: "west of UTC", ms: NOON, offset: 300, text: "07:05"},
    {name: "a half-hour zone", ms: NOON, offset: -330, text: "17:35"},
    {name: "past midnight: 24 h, padded", ms: NOON, offset: -720, text: "00:05"},
    {name: "no offset given: UTC", ms: Date.UTC(2026, 0, 1, 9, 0), offset: undefined, text: "09:00"},
], (row) => {
    assert.equal(V.formatClock(row.ms, row.offset), row.text);
});

table("staleNote", [
    {name: "none: nothing", count: 0, text: ""},
    {name: "one", count: 1, text: "1 stale panel"},
    {name: "several", count: 12, text: "12 stale panels"},
], (row) => {
    assert.equal(V.staleNote(row.count), row.text);
});

const TIMES = [
    {dtickrange: [null, 1000], value: "%H:%M:%S.%L"},
    {dtickrange: [1000, 60000], value: "%H:%M:%S"},
    {dtickrange: [60000, 86400000], value: "%H:%M"},
    {dtickrange: [86400000, null], value: "%b %-d"},
];

table("kioskLayout", [
    {name: "1920x1080's 20 px text: axes at 15 px, as many ticks as fit", root: 20, box: {width: 400, height: 200},
        layout: {font: {size: 15}, margin: {l: 15, r: 36, t: 33, b: 30},
            xaxis: {tickangle: 0, tickformatstops: TIMES, nticks: 4}, yaxis: {nticks: 3}}, lineWidth: 2},
    {name: "3840x2160's 40 px: twice as large", root: 40, box: {width: 800, height: 400},
        layout: {font: {size: 30}, margin: {l: 30, r: 72, t: 66, b: 60},
            xaxis: {tickangle: 0, tickformatstops: TIMES, nticks: 4}, yaxis: {nticks: 3}}, lineWidth: 4},
    {name: "a narrow panel: two ticks at least", root: 20, box: {width: 50, height: 20},
        layout: {font: {size: 15}, margin: {l: 15, r: 36, t: 33, b: 30},
            xaxis: {tickangle: 0, tickformatstops: TIMES, nticks: 2}, yaxis: {nticks: 2}}, lineWidth: 2},
    {name: "no box (not laid out): Plotly's own tick counts; never below 10 px", root: 8, box: null,
        layout: {font: {size: 10}, margin: {l: 10, r: 24, t: 22, b: 20}, xaxis: {tickangle: 0, tickformatstops: TIMES}},
        lineWidth: 2},
], (row) => {
    assert.deepStrictEqual(V.kioskLayout(row.root, row.box), {layout: row.layout, lineWidth: row.lineWidth});
});

table("steppedRange", [
    {name: "nothing drawn yet: the wanted axis", drawn: null, wanted: [0, 1000], width: 100, range: [0, 1000]},
    {name: "no width yet: the wanted axis", drawn: [0, 1040], wanted: [10, 1010], width: 0, range: [10, 1010]},
    {name: "within the step: the drawn axis", drawn: [0, 1040], wanted: [10, 1010], width: 100, range: [0, 1040]},
    {name: "the wanted end at the drawn end: kept", drawn: [0, 1040], wanted: [40, 1040], width: 100, range: [0, 1040]},
    {name: "past the drawn end: a step ahead", drawn: [0, 1040], wanted: [41, 1041], width: 100, range: [41, 1081]},
    {name: "the clock went back: moved", drawn: [0, 1040], wanted: [-100, 900], width: 100, range: [-100, 940]},
    {name: "a window grown at its start: moved", drawn: [0, 1040], wanted: [-50, 1000], width: 100, range: [-50, 1042]},
    {name: "an empty wanted range: as it is", drawn: [0, 1040], wanted: [5, 5], width: 100, range: [5, 5]},
], (row) => {
    assert.deepEqual(V.steppedRange(row.drawn, row.wanted, row.width), row.range);
});

test("steppedRange: an axis kept is the same array (the page compares by identity)", () => {
    const drawn = [0, 1040];
    assert.equal(V.steppedRange(drawn, [10, 1010], 100), drawn);
});

table("steadyRange", [
    {name: "nothing drawn: valueRange's", drawn: null, low: 10, high: 90, range: [3.6, 96.4]},
    {name: "no values: valueRange's", drawn: [0, 100], low: null, high: null, range: [0, 1]},
    {name: "held and filling half or more: the drawn", drawn: [0, 100], low: 10, high: 60, range: [0, 100]},
    {name: "a value above: valueRange's", drawn: [0, 100], low: 10, high: 101, range: [2.72, 108.28]},
    {name: "a value below: valueRange's", drawn: [0, 100], low: -1, high: 90, range: [-8.28, 97.28]},
    {name: "filling less than half: valueRange's", drawn: [0, 100], low: 40, high: 80, range: [36.8, 83.2]},
    {name: "the panel's own bounds win", panel: {min: 0, max: 10}, drawn: [0, 100], low: 1, high: 2, range: [0, 10]},
], (row) => {
    const range = V.steadyRange(row.drawn, V.valueRange(row.panel || {}, row.low, row.high));
    assert.deepEqual(range.map((v) => Math.round(v * 100) / 100), row.range);
});

test("steadyRange: an axis kept is the same array (the page compares it)", () => {
    const drawn = [0, 100];
    assert.equal(V.steadyRange(drawn, [6, 64]), drawn);
});
