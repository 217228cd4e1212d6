// The page's arithmetic (assets/pulseboard-updates.js) against the fixture table that the
// Python applier (tests/support/screen.py) is held to as well: the same figures, the same doubles.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const U = require("../../assets/pulseboard-updates.js");
const {applyPatch} = require("./patch.js");
const TABLE = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "updates.json"), "utf8"));

function startFigure(kase) {
    return {data: structuredClone(kase.figure.data), layout: {xaxis: {range: [0, 1000]}, yaxis: {range: [0, 1]}}};
}

function shown(figure) {
    return {
        data: figure.data.map((trace) => ({x: trace.x, y: trace.y})),
        layout: {xaxis: {range: figure.layout.xaxis.range}, yaxis: {range: figure.layout.yaxis.range}},
    };
}

function mergedPerTrace(kase) {
    // What a busy panel sends once it is free: each trace's updates merged into one.
    const merged = new Map();
    for (const [index, update] of kase.updates) {
        merged.set(index, merged.has(index) ? U.merge(merged.get(index), update, kase.window) : update);
    }
    return Array.from(merged.entries());
}

test("the table has the cases it promises", () => {
    const names = TABLE.cases.map((kase) => kase.name);
    for (const name of ["append", "append and drop", "replace", "late point replace", "appends merged",
        "two traces", "one point", "equal values", "negative values", "largest doubles", "empty panel"]) {
        assert.ok(names.includes(name), name);
    }
});

for (const kase of TABLE.cases) {
    test(`${kase.name}: one patch per flush leaves the expected figure`, () => {
        const figure = applyPatch(startFigure(kase), U.graphPatch(kase.updates, kase.extents));
        assert.deepStrictEqual(shown(figure), kase.expected);
    });

    test(`${kase.name}: one patch per update leaves the same figure`, () => {
        let figure = startFigure(kase);
        for (const pair of kase.updates) {
            figure = applyPatch(figure, U.graphPatch([pair], kase.extents));
        }
        assert.deepStrictEqual(shown(figure), kase.expected);
    });

    test(`${kase.name}: merged updates leave the same figure as applied one by one`, () => {
        const figure = applyPatch(startFigure(kase), U.graphPatch(mergedPerTrace(kase), kase.extents));
        assert.deepStrictEqual(shown(figure), kase.expected);
    });

    test(`${kase.name}: applyUpdate agrees with the patch`, () => {
        const data = structuredClone(kase.figure.data);
        for (const [index, update] of kase.updates) {
            data[index] = U.applyUpdate(data[index], update);
        }
        assert.deepStrictEqual(data.map((trace) => ({x: trace.x, y: trace.y})), kase.expected.data);
    });
}

test("operations: Extend then one Delete of index 0 per dropped point, then the mode", () => {
    const ops = U.operations({x: [5], y: [6], drop: 2, mode: "lines"}, 3);
    assert.deepStrictEqual(ops.map((op) => [op.operation, op.location]), [
        ["Extend", ["data", 3, "x"]], ["Extend", ["data", 3, "y"]],
        ["Delete", ["data", 3, "x", 0]], ["Delete", ["data", 3, "y", 0]],
        ["Delete", ["data", 3, "x", 0]], ["Delete", ["data", 3, "y", 0]],
        ["Assign", ["data", 3, "mode"]],
    ]);
    assert.deepStrictEqual(U.operations({x: [1], y: [2], replace: true}, 0).map((op) => op.operation), ["Assign", "Assign"]);
});

test("graphPatch assigns the ranges once, after every trace's operations", () => {
    const patch = U.graphPatch([[0, {x: [1], y: [1]}], [1, {x: [2], y: [2]}]], [[[1, 1], [1, 1]], [[2, 2], [2, 2]]]);
    const ranges = patch.operations.filter((op) => op.location[0] === "layout");
    assert.deepStrictEqual(ranges.map((op) => op.location), [["layout", "xaxis", "range"], ["layout", "yaxis", "range"]]);
    assert.deepStrictEqual(patch.operations.slice(-2), ranges);
});

test("graphPatch moves only the axes settle says: none, one or both", () => {
    const extents = [[[1, 3], [2, 4]]];
    const axes = (patch) => patch.operations.filter((op) => op.location[0] === "layout").map((op) => op.location[1]);
    const seen = [];
    const none = U.graphPatch([[0, {x: [3], y: [4]}]], extents, [], (x, y) => { seen.push(x, y); return {x: null, y: null}; });
    assert.deepStrictEqual(axes(none), []);
    assert.deepStrictEqual(seen, [U.xRange([[1, 3]]), U.yRange([[2, 4]])]);
    assert.deepStrictEqual(axes(U.graphPatch([], extents, [], (x) => ({x: x, y: null}))), ["xaxis"]);
    assert.deepStrictEqual(axes(U.graphPatch([], extents, [], (x, y) => ({x: x, y: y}))), ["xaxis", "yaxis"]);
});

test("graphPatch appends new traces before the updates that index them", () => {
    const added = U.applyUpdate(U.newTrace({type: "scatter", x: [], y: []}, "cpu", {host: "b"}), {x: [3], y: [4]});
    const start = {data: [{x: [1], y: [2]}], layout: {}};
    const figure = applyPatch(start, U.graphPatch([[0, {x: [2], y: [3]}]], [[[1, 2], [2, 3]], [[3, 3], [4, 4]]], [added]));
    assert.deepStrictEqual(figure.data.map((trace) => [trace.name, trace.x, trace.y, trace.mode]),
        [[undefined, [1, 2], [2, 3], undefined], ["host=b", [3], [4], "lines+markers"]]);
    assert.deepStrictEqual(figure.layout.xaxis.range, [1, 3]);
});

test("merge: drops add, appends concatenate, the newer extents and mode win", () => {
    const merged = U.merge({x: [1], y: [1], drop: 1, mode: "lines", xr: [0, 1], yr: [0, 1]},
        {x: [2], y: [2], drop: 2, xr: [1, 2], yr: [1, 2]}, 10);
    assert.deepStrictEqual(merged, {x: [1, 2], y: [1, 2], drop: 3, mode: "lines", xr: [1, 2], yr: [1, 2]});
});

test("merge: as many points as the window become a replace of the newest", () => {
    const merged = U.merge({x: [1, 2], y: [1, 2], drop: 2}, {x: [3, 4], y: [3, 4], drop: 2}, 3);
    assert.deepStrictEqual(merged, {x: [2, 3, 4], y: [2, 3, 4], replace: true});
});

test("ranges stay finite for any doubles", () => {
    const doubles = [Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 0, -0, 1e308, -1e308, 1, -1];
    for (const a of doubles) {
        for (const b of doubles) {
            const [low, high] = U.yRange([[Math.min(a, b), Math.max(a, b)]]);
            assert.ok(Number.isFinite(low) && Number.isFinite(high) && low <= high, `${a}, ${b}: ${low}, ${high}`);
        }
    }
});

test("empty extents give the default ranges", () => {
    assert.deepStrictEqual(U.xRange([]), [0, 1000]);
    assert.deepStrictEqual(U.yRange([null, undefined, []]), [0, 1]);
});

test("legend names: labels sorted by code point as Python sorts them, or the series name", () => {
    assert.equal(U.legendName("cpu", {}), "cpu");
    assert.equal(U.legendName("cpu", ""), "cpu");
    assert.equal(U.legendName("cpu", '{"host":"a","dc":"eu"}'), "dc=eu, host=a");
    assert.equal(U.legendName("cpu", {"\u{1F600}": "1", "\uFF5E": "2"}), "\uFF5E=2, \u{1F600}=1");
});

test("plain text escapes what Plotly reads as HTML, and nothing else", () => {
    assert.equal(U.plainText(`<b>"a" & 'b'</b>`), `&lt;b&gt;"a" &amp; 'b'&lt;/b&gt;`);
});

for (const panel of TABLE.panels) {
    test(`panel "${panel.title}" (${panel.theme}) is the figure live/figures.py builds`, () => {
        const templates = structuredClone(TABLE.templates);
        const figure = U.panelFigure(templates.figure, templates.trace, panel.title, panel.traces, TABLE.themes[panel.theme]);
        assert.deepStrictEqual(figure, panel.expected);
        assert.deepStrictEqual(templates, TABLE.templates, "the templates were changed");
    });
}

test("a theme's patch does to a drawn figure what themed does", () => {
    const panel = TABLE.panels[0];
    const figure = U.panelFigure(TABLE.templates.figure, TABLE.templates.trace, panel.title, panel.traces, TABLE.themes.light);
    const dark = applyPatch(figure, U.themePatch(TABLE.themes.dark));
    assert.deepStrictEqual(dark, U.themed(figure, TABLE.themes.dark));
    assert.deepStrictEqual(dark.layout.xaxis.range, figure.layout.xaxis.range, "the theme took the range along");
    assert.equal(dark.layout.paper_bgcolor, TABLE.themes.dark.paper_bgcolor);
});

test("backoffDelay: half to all of a ceiling doubling from 1 s, capped at 30 s", () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 100].map((n) => U.backoffDelay(n, 0)),
        [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    assert.deepEqual([0, 1, 4, 5, 1e9].map((n) => U.backoffDelay(n, 0.999999)).map(Math.round),
        [1000, 2000, 16000, 30000, 30000]);
    assert.equal(U.backoffDelay(2, 0.5), 3000);
});
