/* Which panels are on screen, so that drawing the others waits until they are.
 *
 * Drawing is the page's cost: 50 graphs mounted at once blocked the main thread for 2-9 s
 * (issue 13), and a wall screen rotating dashboards should pay only for the one it shows
 * (issue 15). A panel counts as shown while its element is within a screen's height of the
 * viewport and the tab is visible; `onShown` is called with the panels that came into view,
 * so their waiting work is done then. Loaded before pulseboard.js, used by it and by
 * pulseboard-dashboard.js.
 */
(function (root) {
    "use strict";

    function create(find, onShown) {
        // find(id) -> the panel's element, or null while it is not on the page yet.
        var shown = new Set();
        var watched = new Map();  // panel id -> element observed
        var observer = root.IntersectionObserver ? new root.IntersectionObserver(function (entries) {
            var came = [];
            entries.forEach(function (entry) {
                var id = entry.target.__pulseboardPanel;
                if (entry.isIntersecting) {
                    if (!shown.has(id)) {
                        shown.add(id);
                        came.push(id);
                    }
                } else {
                    shown.delete(id);
                }
            });
            if (came.length && !root.document.hidden) {
                onShown(came);
            }
        }, {rootMargin: "100% 0px"}) : null;

        function watch(id) {
            // Observe the panel's element; a new element (the panel drawn again) replaces the old.
            var element = find(id);
            var old = watched.get(id);
            if (!observer || !element || old === element) {
                return element;
            }
            if (old) {
                observer.unobserve(old);
                shown.delete(id);
            }
            element.__pulseboardPanel = id;
            watched.set(id, element);
            observer.observe(element);
            return element;
        }

        function isShown(id) {
            // Unknown (no observer, or no element yet): shown, so nothing waits for ever.
            if (!observer || !watch(id)) {
                return true;
            }
            return shown.has(id) && !root.document.hidden;
        }

        function visible() {
            // A tab shown again: its panels' waiting work is done now.
            if (!root.document.hidden && shown.size) {
                onShown(Array.from(shown));
            }
        }
        root.document.addEventListener("visibilitychange", visible);

        return {
            watch: watch,
            isShown: isShown,
            forget: function () {
                if (observer) {
                    observer.disconnect();
                }
                root.document.removeEventListener("visibilitychange", visible);
                watched.clear();
                shown.clear();
            }
        };
    }

    root.PulseboardOnscreen = {create: create};
})(window);
