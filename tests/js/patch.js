// A value patched as dash-renderer does it (dash/dash-renderer/build/dash_renderer.dev.js:
// handlePatch and patchHandlers, over ramda's path, assocPath, dissocPath and concat), for the
// operations the page sends: Assign, Merge, Extend, Delete, Append. Not a test file itself.
"use strict";

const assert = require("node:assert/strict");

function isInteger(value) {
    return Number.isInteger(value);
}

function at(location, value) {
    // ramda path: undefined past a missing step; an integer step on an array may be negative.
    let current = value;
    for (const step of location) {
        if (current === null || current === undefined) {
            return undefined;
        }
        current = isInteger(step) && Array.isArray(current) ? current.at(step) : current[step];
    }
    return current;
}

function assoc(prop, val, obj) {
    if (isInteger(prop) && Array.isArray(obj)) {
        const copy = [].concat(obj);
        copy[prop] = val;
        return copy;
    }
    return Object.assign({}, obj, {[prop]: val});
}

function assocPath(location, val, obj) {
    if (location.length === 0) {
        return val;
    }
    const [head, ...tail] = location;
    if (tail.length) {
        const hasHead = obj !== null && obj !== undefined && Object.prototype.hasOwnProperty.call(obj, head);
        const next = hasHead && typeof obj[head] === "object" ? obj[head] : isInteger(tail[0]) ? [] : {};
        val = assocPath(tail, val, next);
    }
    return assoc(head, val, obj);
}

function dissoc(prop, obj) {
    if (obj === null || obj === undefined) {
        return obj;
    }
    if (isInteger(prop) && Array.isArray(obj)) {
        const copy = obj.slice();
        copy.splice(prop, 1);
        return copy;
    }
    const copy = Object.assign({}, obj);
    delete copy[prop];
    return copy;
}

function dissocPath(location, obj) {
    if (obj === null || obj === undefined || location.length === 0) {
        return obj;
    }
    if (location.length === 1) {
        return dissoc(location[0], obj);
    }
    const [head, ...tail] = location;
    if (obj[head] === null || obj[head] === undefined) {
        return isInteger(head) && Array.isArray(obj) ? [].concat(obj) : Object.assign({}, obj);
    }
    return assoc(head, dissocPath(tail, obj[head]), obj);
}

function concat(a, b) {
    if (Array.isArray(a)) {
        if (Array.isArray(b)) {
            return a.concat(b);
        }
        throw new TypeError(`${b} is not an array`);
    }
    throw new TypeError(`${a} does not have a method named "concat"`);
}

const HANDLERS = {
    Assign: (previous, op) => assocPath(op.location, op.params.value, previous),
    Merge: (previous, op) => assocPath(op.location, {...at(op.location, previous), ...op.params.value}, previous),
    Extend: (previous, op) => assocPath(op.location, concat(at(op.location, previous), op.params.value), previous),
    Delete: (previous, op) => dissocPath(op.location, previous),
    Append: (previous, op) => assocPath(op.location, concat(at(op.location, previous), [op.params.value]), previous),
};

function locationPath(location, value) {
    // getLocationPath: a negative index counts from the end of the list it indexes.
    const resolved = [];
    for (const step of location) {
        const here = at(resolved, value);
        resolved.push(typeof step === "number" && step < 0 ? here.length + step : step);
    }
    return resolved;
}

function applyPatch(value, patch) {
    assert.equal(patch.__dash_patch_update, "__dash_patch_update");
    let reduced = value;
    for (const op of structuredClone(patch.operations)) {
        const handler = HANDLERS[op.operation];
        assert.ok(handler, `unexpected operation ${op.operation}`);
        op.location = locationPath(op.location, reduced);
        reduced = handler(reduced, op);
    }
    return reduced;
}

module.exports = {applyPatch};
