/* Work for many panels spread over tasks: one panel's draw a task (effects).
 *
 * A frame that changes many panels drew them all in the task that received it: 10 panels given
 * new traces at once was one task of 270-330 ms (issue 13), and a 64-panel wall's frames each
 * held a dozen Plotly draws; React renders every set_props of a task together at its end. Here
 * the first panel of a burst is drawn at once, the others one a task after it (a MessageChannel
 * message: not clamped like setTimeout), so the page answers and paints between them. A panel
 * asked for again while it waits keeps its place. Loaded before pulseboard.js, used by it and
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

    function create(later) {
        // later(fn): how to run fn in a task of its own (tests give their clock's); else a
        // MessageChannel message, or setTimeout where there is none.
        var queue = new Map();  // key -> the work, first asked first done
        var busy = false;       // a burst is running: new work waits its turn
        var Channel = (root && root.MessageChannel) || (typeof MessageChannel !== "undefined" ? MessageChannel : null);
        var channel = !later && Channel ? new Channel() : null;

        function post() {
            if (channel) {
                channel.port2.postMessage(null);
            } else {
                (later || setTimeout)(next, 0);
            }
        }

        function next() {
            if (!queue.size) {
                busy = false;
                return;
            }
            var key = queue.keys().next().value;
            var work = queue.get(key);
            queue.delete(key);
            post();  // before the work: a panel that throws does not stop the others
            work();
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
                    next();
                }
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
