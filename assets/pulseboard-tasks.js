/* Work for many panels spread over tasks: a few panels' draws a task (effects).
 *
 * A frame that changes many panels drew them all in the task that received it: 10 panels given
 * new traces at once was one task of 270-330 ms (issue 13), and a 64-panel wall's frames each
 * held a dozen Plotly draws; React renders every set_props of a task together at its end. Here
 * the first panels of a burst are drawn at once, the others a few a task after them (a
 * MessageChannel message: not clamped like setTimeout), so the page answers and paints between
 * them. A panel asked for again while it waits keeps its place. Loaded before pulseboard.js, used by it and
 * by pulseboard-dashboard.js.
 */
(function (root, factory) {
    "use strict";
    var tasks = factory(root);
    if (typeof module === "object" && module && module.exports) {
        module.exports = tasks;
    }
    if (root) {
        root.PulseboardTasks = tasks;
    }
})(typeof window !== "undefined" ? window : null, function (root) {
    "use strict";

    function create(later, perTask) {
        // later(fn): how to run fn in a task of its own (tests give their clock's); else a
        // MessageChannel message, or setTimeout where there is none. perTask: works run in one
        // task at most (default 1). One a task makes no task long, but each set_props is then a
        // render of its own (React batches those of a task): on a 32-panel wall, one a task cost
        // 862 ms/s of main thread, four 740, all of a frame's at once 782 (BENCHMARKS.md).
        var share = perTask || 1;
        var queue = new Map();  // key -> the work, first asked first done
        var busy = false;       // a task is posted: work past this task's share waits for it
        var ran = 0;            // works run in the current task
        var Channel = (root && root.MessageChannel) || (typeof MessageChannel !== "undefined" ? MessageChannel : null);
        var channel = !later && Channel ? new Channel() : null;

        function post() {
            if (channel) {
                channel.port2.postMessage(null);
            } else {
                (later || setTimeout)(next, 0);
            }
        }

        function run() {
            // Up to `share` works in this task, first asked first done.
            while (queue.size && ran < share) {
                if (!ran++) {
                    queueMicrotask(function () { ran = 0; });  // the task is over: the next may run its own
                }
                var key = queue.keys().next().value;
                var work = queue.get(key);
                queue.delete(key);
                work();
            }
        }

        function next() {
            ran = 0;  // a task of its own
            if (!queue.size) {
                busy = false;
                return;
            }
            post();  // before the works: a panel that throws does not stop the others
            run();
        }

        if (channel) {
            channel.port1.onmessage = next;
            if (channel.port1.unref) {
                channel.port1.unref();  // node (the tests): an idle port does not keep the process alive
            }
        }

        return {
            add: function (key, work) {
                queue.set(key, work);
                if (!busy) {
                    busy = true;
                    post();
                }
                run();
            },
            busy: function () {
                return busy;
            },
            clear: function () {
                queue.clear();
            }
        };
    }

    return {create: create};
});
