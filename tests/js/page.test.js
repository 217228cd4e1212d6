// The page's effects (assets/pulseboard.js) in a fake window: a Dash store that applies Patches
// as dash-renderer does (./patch.js), an EventSource we drive, timers we run, and a Plotly whose
// draws we settle by hand. The browser tests (tests/e2e) run the real thing.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const U = require("../../assets/pulseboard-updates.js");
const V = require("../../assets/pulseboard-view.js");
const T = require("../../assets/pulseboard-tasks.js");
const {applyPatch} = require("./patch.js");

const ASSETS = path.join(__dirname, "..", "..", "assets");
// pulseboard-onscreen.js first, as the page loads it; with no IntersectionObserver here every panel counts as shown.
const SCRIPT = ["pulseboard-onscreen.js", "pulseboard.js"].map((name) => fs.readFileSync(path.join(ASSETS, name), "utf8")).join("\n");
const TABLE = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "updates.json"), "utf8"));
const DURATION = 100;
const FALLBACK = 3 * DURATION + 500;
const SETTINGS = {
    stream: "/prefix/api/stream",
    window: 3,
    graph: {animate: true, animation_options: {transition: {duration: DURATION}}, className: "pb-graph"},
    themes: TABLE.themes,
    templates: TABLE.templates,
};

function plain(value) {
    // A value made in the page's realm (vm), as one of ours: deepStrictEqual compares prototypes.
    return JSON.parse(JSON.stringify(value));
}

function stringifyId(id) {
    // dash-renderer's stringifyId: a dict id as JSON with its keys sorted.
    return typeof id === "object" ? JSON.stringify(Object.fromEntries(Object.keys(id).sort().map((k) => [k, id[k]]))) : id;
}

function page(search = "", saved = null) {
    const timers = [];
    let now = 0;
    const store = new Map([["pb-graphs", {children: []}], ["pb-status", {children: "connecting"}]]);
    const calls = [];
    const sources = [];
    const storage = new Map(saved ? [["pulseboard.theme", saved]] : []);
    const divs = new Map();
    class EventSource {
        constructor(url) {
            this.url = url;
            this.readyState = 0;
            this.listeners = {};
            sources.push(this);
        }
        addEventListener(name, listener) {
            this.listeners[name] = listener;
        }
        close() {
            this.readyState = EventSource.CLOSED;
            this.closed = true;
        }
        send(kind, id, payload) {
            this.listeners[kind]({data: JSON.stringify(payload), lastEventId: String(id)});
        }
    }
    EventSource.CLOSED = 2;
    const window = {
        pulseboardUpdates: U,
        pulseboardView: V,
        PulseboardTasks: {create: (later, perTask) => T.create((fn) => window.setTimeout(fn, 0), perTask)},
        URLSearchParams,
        EventSource,
        location: {search, reloads: 0, reload() { this.reloads += 1; }},
        localStorage: {getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, v)},
        document: {documentElement: {dataset: {}}, getElementById: (id) => divs.get(id) || null,
            addEventListener() {}, removeEventListener() {}},
        requestAnimationFrame: (fn) => timers.push({at: now + 16, fn, id: timers.length + 1}) && timers.length,
        setTimeout: (fn, ms) => timers.push({at: now + (ms || 0), fn, id: timers.length + 1}) && timers.length,
        clearTimeout: (id) => {
            const timer = timers.find((t) => t.id === id);
            if (timer) {
                timer.fn = null;
            }
        },
        dash_clientside: {
            no_update: {no_update: true},
            set_props(id, props) {
                calls.push({id, props: structuredClone(props)});
                const key = stringifyId(id);
                const previous = store.get(key) || {};
                const next = {...previous};
                for (const [name, value] of Object.entries(props)) {
                    next[name] = value && value.__dash_patch_update ? applyPatch(previous[name], value) : value;
                }
                store.set(key, next);
                for (const child of [].concat(next.children || [])) {
                    if (child && child.props && child.props.id && !store.has(stringifyId(child.props.id))) {
                        store.set(stringifyId(child.props.id), child.props);
                    }
                }
            },
        },
    };
    window.window = window;
    vm.runInNewContext(SCRIPT, window);
    return {
        window, store, calls, sources, storage, divs,
        get page() { return window.pulseboard; },
        get source() { return sources[sources.length - 1]; },
        clientside: window.dash_clientside.pulseboard,
        figure: (panel) => plain(store.get(stringifyId({type: "pb-graph", panel})).figure),
        graphCalls: () => calls.filter((call) => typeof call.id === "object" && call.id.type === "pb-graph"),
        advance(ms) {
            now += ms;
            for (;;) {
                const due = timers.filter((t) => t.fn && t.at <= now).sort((a, b) => a.at - b.at || a.id - b.id)[0];
                if (!due) {
                    return;
                }
                const fn = due.fn;
                due.fn = null;
                fn();
            }
        },
    };
}

function cursor(extra = {}) {
    // As the load callback writes pb-cursor: each panel's traces with their extents and points.
    return {after: 10, db: "db1", panels: [{id: "p0", name: "cpu", traces: ["cpu"], extents: [[[1000, 2000], [1, 2]]],
        data: [{key: "cpu", name: "cpu", labels: {}, x: [1000, 2000], y: [1, 2]}]}], ...extra};
}

function connected(search) {
    // Connected, with p0's graph made in its slot and its first draw settled.
    const p = page(search);
    assert.equal(p.clientside.connect(cursor(), SETTINGS), "connecting");
    p.advance(0);  // made (timers run at the time advanced to: one step, then the fallback)
    p.advance(FALLBACK);
    return p;
}

function update(x, y, extra = {}) {
    return {x, y, ...extra};
}

test("connect opens one EventSource at the cursor, and only once", () => {
    const p = connected();
    assert.equal(p.sources.length, 1);
    assert.equal(p.source.url, "/prefix/api/stream?db=db1&after=10");
    assert.deepEqual(p.clientside.connect(cursor(), SETTINGS), {no_update: true});
    p.source.onopen();
    assert.equal(p.page.opens, 1);
    assert.equal(p.store.get("pb-status").children, "live");
});

test("frames while a graph is busy merge into one patch sent when it is free", () => {
    const p = connected();
    p.source.send("frame", 11, {updates: {cpu: update([3000], [3], {xr: [1000, 3000], yr: [1, 3]})}});
    assert.equal(p.graphCalls().length, 1, "a free graph takes the patch at once");
    assert.equal(p.graphCalls()[0].props.animate, true);
    p.source.send("frame", 12, {updates: {cpu: update([4000], [4], {drop: 1, xr: [2000, 4000], yr: [2, 4]})}});
    p.source.send("frame", 13, {updates: {cpu: update([5000], [5], {drop: 1, xr: [3000, 5000], yr: [3, 5]})}});
    assert.equal(p.graphCalls().length, 1, "a busy graph takes nothing");
    assert.equal(p.page.merges, 1);
    assert.deepEqual(plain(Array.from(p.page.pending.keys())), ["p0"]);
    p.advance(FALLBACK);
    assert.equal(p.graphCalls().length, 2);
    const figure = p.figure("p0");
    assert.deepEqual([figure.data[0].x, figure.data[0].y], [[3000, 4000, 5000], [3, 4, 5]]);
    assert.deepEqual(figure.layout.xaxis.range, U.xRange([[3000, 5000]]));
    assert.deepEqual(figure.layout.yaxis.range, U.yRange([[3, 5]]));
    assert.equal(p.page.frames, 3);
    assert.equal(p.page.lastId, "13");
});

test("a new name makes a panel; a new label set of a known name joins its panel", () => {
    const p = connected();
    const host = 'cpu{"host":"b"}';
    p.source.send("frame", 11, {
        updates: {"mem.used": update([3000], [7], {xr: [3000, 3000], yr: [7, 7]}), [host]: update([3000], [9], {xr: [3000, 3000], yr: [9, 9]})},
        new: {"mem.used": {name: "mem.used", labels: {}}, [host]: {name: "cpu", labels: {host: "b"}}},
    });
    // The new name takes the next slot, and its graph is made there a frame later (on screen: no
    // IntersectionObserver here); the grid itself is never changed (Dash would remount every graph).
    p.advance(16);
    const slot = p.calls.filter((call) => stringifyId(call.id) === stringifyId({type: "pb-slot", panel: "p1"}));
    assert.deepEqual(slot.map((call) => Object.keys(call.props)), [["className"], ["children"]]);
    assert.equal(slot[0].props.className, "pb-slot pb-used");
    assert.ok(!p.calls.some((call) => call.id === "pb-graphs"));
    const graph = slot[1].props.children;
    assert.deepEqual(graph.props.id, {type: "pb-graph", panel: "p1"});
    assert.equal(graph.props.className, "pb-graph");
    assert.deepEqual(graph.props.figure, U.panelFigure(TABLE.templates.figure, TABLE.templates.trace, "mem.used",
        [{key: "mem.used", name: "mem.used", labels: {}, x: [3000], y: [7]}], TABLE.themes.light));
    const cpu = p.figure("p0");
    assert.deepEqual(cpu.data.map((trace) => [trace.name, trace.x, trace.y]),
        [["cpu", [1000, 2000], [1, 2]], ["host=b", [3000], [9]]]);
    assert.deepEqual(cpu.layout.xaxis.range, [1000, 3000]);
    assert.deepEqual(cpu.layout.yaxis.range, U.yRange([[1, 2], [9, 9]]));
    // The new trace's next update goes to index 1; the new panel is busy until its first draw.
    p.advance(FALLBACK);
    p.source.send("frame", 12, {updates: {[host]: update([4000], [8], {xr: [3000, 4000], yr: [8, 9]}),
        "mem.used": update([4000], [6], {xr: [3000, 4000], yr: [6, 7]})}});
    assert.deepEqual(p.figure("p0").data[1].y, [9, 8]);
    assert.deepEqual(p.figure("p1").data[0].y, [7]);  // the second panel is drawn a task after the first
    p.advance(1);
    assert.deepEqual(p.figure("p1").data[0].y, [7, 6]);
});

test("a reset assigns each trace's window, and a reset from another database reloads", () => {
    const p = connected();
    p.source.send("reset", 20, {db: "db1", traces: {
        cpu: {name: "cpu", labels: {}, x: [5000, 6000], y: [5, 6], xr: [5000, 6000], yr: [5, 6]},
        disk: {name: "disk", labels: {}, x: [5000], y: [1], xr: [5000, 5000], yr: [1, 1]},
    }});
    assert.deepEqual([p.figure("p0").data[0].x, p.figure("p0").data[0].mode], [[5000, 6000], "lines"]);
    p.advance(16);  // the new panel's graph is made a frame later
    assert.deepEqual(p.figure("p1").data[0].y, [1]);
    assert.equal(p.page.resets, 1);
    p.source.send("reset", 21, {db: "db2", traces: {}});
    assert.equal(p.window.location.reloads, 1);
    assert.ok(p.source.closed);
    assert.equal(p.page.resets, 1);
});

test("a CLOSED EventSource is rebuilt, resuming after the last id", () => {
    const p = connected();
    p.source.send("frame", 11, {updates: {}});
    p.source.readyState = p.window.EventSource.CLOSED;
    p.source.onerror();
    assert.match(p.store.get("pb-status").children, /^server unreachable since \d\d:\d\d$/);
    p.advance(2000);
    assert.equal(p.sources.length, 2);
    assert.equal(p.page.connects, 2);
    assert.equal(p.source.url, "/prefix/api/stream?db=db1&after=11");
    p.source.readyState = 0;  // the browser retries by itself: nothing to build
    p.source.onerror();
    assert.equal(p.store.get("pb-status").children, "reconnecting");
    p.advance(2000);
    assert.equal(p.sources.length, 2);
});

test("streams closed again and again are rebuilt after doubling waits up to 30 s, reset once one opens", () => {
    // Issue 13: a 401/404/500/502 closes the EventSource; rebuilding it every second for ever
    // costs a password hash per screen per second.
    const p = connected();
    const fail = () => {
        p.source.readyState = p.window.EventSource.CLOSED;
        p.source.onerror();
    };
    const waits = [];
    for (let attempt = 0; attempt < 8; attempt += 1) {
        const built = p.sources.length;
        fail();
        let waited = 0;
        while (p.sources.length === built) {
            p.advance(100);
            waited += 100;
            assert.ok(waited <= 30000, "rebuilt within 30 s");
        }
        waits.push(waited);
    }
    const ceilings = [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000];
    waits.forEach((waited, i) => assert.ok(waited >= ceilings[i] / 2 && waited <= ceilings[i] + 100, `${i}: ${waited}`));
    assert.match(p.store.get("pb-status").children, /^server unreachable since \d\d:\d\d$/);
    p.source.onopen();
    assert.equal(p.store.get("pb-status").children, "live");
    const built = p.sources.length;
    fail();
    p.advance(1000);
    assert.equal(p.sources.length, built + 1, "the first wait again once a stream opened");
});

test("the theme: ?theme= first, then the saved choice; a change patches every panel without animation", () => {
    assert.deepEqual(plain(page("?theme=dark", "light").clientside.initialTheme("pb-graphs")), ["dark", "dark"]);
    assert.deepEqual(plain(page("", "dark").clientside.initialTheme("pb-graphs")), ["dark", "dark"]);
    assert.deepEqual(plain(page("?theme=nope", "purple").clientside.initialTheme("pb-graphs")), ["light", "light"]);
    const p = connected("?theme=light");
    assert.equal(p.window.document.documentElement.dataset.theme, "light");
    p.clientside.setTheme("light");
    assert.equal(p.graphCalls().length, 0, "the theme already shown");
    p.clientside.setTheme("dark");
    assert.equal(p.window.document.documentElement.dataset.theme, "dark");
    assert.equal(p.storage.get("pulseboard.theme"), "dark");
    const themed = p.graphCalls()[0];
    assert.equal(themed.props.animate, false);
    assert.equal(p.figure("p0").layout.paper_bgcolor, TABLE.themes.dark.paper_bgcolor);
    assert.deepEqual(p.figure("p0").layout.xaxis.range, [1000, 2000], "the theme kept the range");
    p.advance(FALLBACK);
    p.source.send("frame", 11, {updates: {cpu: update([3000], [3], {xr: [1000, 3000], yr: [1, 3]})}});
    assert.equal(p.graphCalls()[1].props.animate, true);
});

test("a graph is free when every Plotly draw of it settled; animated ranges are not copied back", async () => {
    const p = connected();
    const emitted = [];
    const gd = {_ev: {emit: (name, data) => emitted.push([name, data])}};
    p.divs.set(stringifyId({type: "pb-graph", panel: "p0"}), {querySelector: () => gd});
    let finish;
    p.window.Plotly = {animate: () => new Promise((resolve) => { finish = resolve; }), react: () => undefined};
    p.source.send("frame", 11, {updates: {cpu: update([3000], [3], {xr: [1000, 3000], yr: [1, 3]})}});
    p.window.Plotly.animate(gd, {}, {});  // dcc.Graph draws the patch
    assert.equal(gd.__pulseboardDrawing, 1);
    p.source.send("frame", 12, {updates: {cpu: update([4000], [4], {xr: [1000, 4000], yr: [1, 4]})}});
    p.advance(FALLBACK);  // still drawing (a hidden tab): the fallback waits
    assert.equal(p.graphCalls().length, 1);
    assert.equal(gd._ev.emit("plotly_relayout", {"xaxis.range": [1, 2]}), false);
    gd._ev.emit("plotly_relayout", {"xaxis.range[0]": 1});
    assert.deepEqual(emitted, [["plotly_relayout", {"xaxis.range[0]": 1}]], "a user's zoom still goes through");
    finish();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(gd.__pulseboardDrawing, 0);
    p.advance(0);
    assert.equal(p.graphCalls().length, 2, "freed by the settled draw, not the fallback");
});
