// A dashboard's time range (assets/pulseboard-range.js), function by function, as tables.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const R = require("../../assets/pulseboard-range.js");

test("the URL's range: from and to, to defaulting to now; none is live", () => {
    assert.deepStrictEqual(R.fromSearch("?from=now-6h&to=now"), {from: "now-6h", to: "now"});
    assert.deepStrictEqual(R.fromSearch("?theme=dark&from=2026-12-03T10:00:00Z"), {from: "2026-12-03T10:00:00Z", to: "now"});
    assert.strictEqual(R.fromSearch(""), null);
    assert.strictEqual(R.fromSearch("?to=now"), null);
});

test("a range written into the URL keeps every other parameter; live takes it out", () => {
    assert.strictEqual(R.withRange("?theme=dark", {from: "now-1h", to: "now"}), "?theme=dark&from=now-1h&to=now");
    assert.strictEqual(R.withRange("?from=now-1h&to=now&theme=dark", null), "?theme=dark");
    assert.strictEqual(R.withRange("?from=now-1h&to=now", null), "");
});

test("a range slides when it ends at now", () => {
    assert.strictEqual(R.sliding({from: "now-6h", to: "now"}), true);
    assert.strictEqual(R.sliding({from: "now-6h", to: " NOW "}), true);
    assert.strictEqual(R.sliding({from: "now-6h", to: "now-1h"}), false);
    assert.strictEqual(R.sliding({from: "2026-12-03T10:00:00Z", to: "2026-12-03T11:00:00Z"}), false);
    assert.strictEqual(R.sliding(null), false);
});

const ZOOMS = [
    {name: "a drag across time", relayout: {"xaxis.range[0]": "2026-12-03 10:00:00.5", "xaxis.range[1]": "2026-12-03 11:30"},
        expected: {from: "2026-12-03T10:00:00.500Z", to: "2026-12-03T11:30:00.000Z"}},
    {name: "an animation's end, not a user's drag", relayout: {"xaxis.range": [1764756000000, 1764759600000]},
        expected: null},
    {name: "a drag reported in milliseconds", relayout: {"xaxis.range[0]": 1764756000000, "xaxis.range[1]": 1764759600000},
        expected: {from: "2025-12-03T10:00:00.000Z", to: "2025-12-03T11:00:00.000Z"}},
    {name: "a double-click", relayout: {"xaxis.autorange": true, "yaxis.autorange": true}, expected: "back"},
    {name: "a drag of values only", relayout: {"yaxis.range[0]": 1, "yaxis.range[1]": 2}, expected: null},
    {name: "a backwards range", relayout: {"xaxis.range[0]": "2026-12-03 11:00", "xaxis.range[1]": "2026-12-03 10:00"},
        expected: null},
    {name: "nothing", relayout: null, expected: null},
];
for (const row of ZOOMS) {
    test(`zoom: ${row.name}`, () => assert.deepStrictEqual(R.zoom(row.relayout), row.expected));
}

test("history and the live tail join without a seam or a point twice, the old end trimmed", () => {
    const history = {x: [10, 20, 30], y: [1, 2, 3]};
    const live = {x: [25, 30, 31, 40], y: [9, 3, 4, 5]};
    assert.deepStrictEqual(R.merge(history, live, 0), {x: [10, 20, 30, 31, 40], y: [1, 2, 3, 4, 5]});
    assert.deepStrictEqual(R.merge(history, live, 20), {x: [20, 30, 31, 40], y: [2, 3, 4, 5]});
    assert.deepStrictEqual(R.merge({x: [], y: []}, live, 0), live);
});

test("two points a pixel, within the API's bounds", () => {
    assert.strictEqual(R.points(900), 1800);
    assert.strictEqual(R.points(2), 10);
    assert.strictEqual(R.points(50000), 20000);
});

test("the API's URLs: a dashboard's panels in one request, a panel's export", () => {
    assert.strictEqual(R.panelsUrl("/app", "web a", ["p0", "p3"], {from: "now-6h", to: "now"}, 1800),
        "/app/api/history?dashboard=web%20a&panel=p0&panel=p3&from=now-6h&to=now&points=1800");
    assert.strictEqual(R.exportUrl("", ["cpu"], null), "/api/export.csv?series=cpu&from=now-1h&to=now");
});

test("the extent of every trace's values", () => {
    assert.deepStrictEqual(R.extent([{y: [3, -1]}, {y: [7]}]), {low: -1, high: 7});
    assert.deepStrictEqual(R.extent([{y: []}]), {low: null, high: null});
});

test("a range in the past is still; one ending at now and live are not", () => {
    assert.strictEqual(R.still({from: "now-2h", to: "now-1h"}), true);
    assert.strictEqual(R.still({from: "now-2h", to: "now"}), false);
    assert.strictEqual(R.still(null), false);
});

test("while a range is shown, a board's points and axis ranges stay off line panels; theme keys pass", () => {
    const op = (location) => ({operation: "Assign", location: location, params: {}});
    assert.strictEqual(R.keepOperation(op(["data"])), false);
    assert.strictEqual(R.keepOperation(op(["data", 0, "x"])), false);
    assert.strictEqual(R.keepOperation(op(["layout", "xaxis", "range"])), false);
    assert.strictEqual(R.keepOperation(op(["layout", "yaxis", "range"])), false);
    assert.strictEqual(R.keepOperation(op(["layout", "xaxis", "gridcolor"])), true);
    assert.strictEqual(R.keepOperation(op(["layout", "paper_bgcolor"])), true);
});

test("a stat's or gauge's parts are held in a past range; the page's own ids are not", () => {
    for (const type of ["pb-graph", "pb-value", "pb-change", "pb-gauge", "pb-age", "pb-panel"]) {
        assert.strictEqual(R.stillPart({type: type, panel: "p1"}), true, type);
    }
    assert.strictEqual(R.stillPart({type: "pb-note", panel: "p1"}), false);
    assert.strictEqual(R.stillPart("pb-clock"), false);
    assert.strictEqual(R.stillPart(null), false);
});

test("a still panel's age is told from the range's end", () => {
    const age = (ms) => (ms < 1000 ? "just now" : Math.floor(ms / 60000) + " min ago");
    assert.strictEqual(R.ageAtEnd(1000, 121000, age), "2 min before the range's end");
    assert.strictEqual(R.ageAtEnd(1000, 1500, age), "at the range's end");
    assert.strictEqual(R.ageAtEnd(null, 1500, age), "no data by then");
});

test("a live tail takes a frame's points, a reset's window whole, and keeps its newest", () => {
    const tail = {x: [1, 2], y: [10, 20]};
    assert.deepStrictEqual(R.keepTail(tail, {x: [3], y: [30]}, 5), {x: [1, 2, 3], y: [10, 20, 30]});
    assert.deepStrictEqual(R.keepTail(tail, {x: [3, 4], y: [30, 40]}, 3), {x: [2, 3, 4], y: [20, 30, 40]});
    assert.deepStrictEqual(R.keepTail(tail, {x: [7], y: [70], replace: true}, 5), {x: [7], y: [70]});
    assert.deepStrictEqual(R.keepTail(tail, {}, 5), {x: [1, 2], y: [10, 20]});
    assert.deepStrictEqual(tail, {x: [1, 2], y: [10, 20]});  // the tail given is left as it was
});

test("a sliding range is drawn again as points come, else once the clock has moved it a pixel", () => {
    assert.strictEqual(R.slideEvery(86400000, 1000, false, 1000), 86400);
    assert.strictEqual(R.slideEvery(86400000, 1000, true, 1000), 1000);
    assert.strictEqual(R.slideEvery(900000, 1800, false, 1000), 1000);  // 15 min: a pixel is 500 ms
    assert.strictEqual(R.slideEvery(86400000, 0, false, 1000), 1000);  // no graph drawn yet
});
