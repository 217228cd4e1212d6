/* The page's work spread over tasks (assets/pulseboard-tasks.js), run by node --test. */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const T = require("../../assets/pulseboard-tasks.js");

async function until(condition) {
    // Let posted tasks run until the condition holds (or 5 s pass: the assertion after says what is missing).
    const deadline = Date.now() + 5000;
    while (!condition() && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1));
    }
}

test("the first work of a burst runs at once, the rest one a task after it, in order", async () => {
    const tasks = T.create();
    const done = [];
    // A microtask queued by a work runs before the next work only if that is in another task.
    const work = (name) => () => {
        done.push(name);
        queueMicrotask(() => done.push(name + " ended"));
    };
    tasks.add("a", work("a"));
    tasks.add("b", work("b"));
    tasks.add("c", work("c"));
    assert.deepEqual(done, ["a"]);
    await until(() => done.length === 6);
    assert.deepEqual(done, ["a", "a ended", "b", "b ended", "c", "c ended"]);
});

test("work asked for again while it waits runs once, in its first place, the newest version", async () => {
    const tasks = T.create();
    const done = [];
    tasks.add("a", () => done.push("a"));
    tasks.add("b", () => done.push("b1"));
    tasks.add("c", () => done.push("c"));
    tasks.add("b", () => done.push("b2"));
    await until(() => !tasks.busy());
    assert.deepEqual(done, ["a", "b2", "c"]);
});

test("after a burst, the next work runs at once again", async () => {
    const tasks = T.create();
    const done = [];
    tasks.add("a", () => done.push("a"));
    tasks.add("z", () => done.push("z"));
    await until(() => !tasks.busy());  // the burst's last task has run
    assert.deepEqual(done, ["a", "z"]);
    tasks.add("b", () => done.push("b"));
    assert.deepEqual(done, ["a", "z", "b"]);
});

test("a share of several a task: that many run at once, the rest as many a task", async () => {
    const tasks = T.create(null, 2);
    const done = [];
    const work = (name) => () => {
        done.push(name);
        queueMicrotask(() => done.push(name + " ended"));
    };
    for (const name of ["a", "b", "c", "d", "e"]) {
        tasks.add(name, work(name));
    }
    assert.deepEqual(done, ["a", "b"]);
    await until(() => done.length === 10);
    assert.deepEqual(done, ["a", "b", "a ended", "b ended", "c", "d", "c ended", "d ended", "e", "e ended"]);
});
