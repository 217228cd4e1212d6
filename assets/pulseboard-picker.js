/* The time-range picker of a dashboard's page (live/range_bar.py) and each line panel's CSV link (effects).
 *
 * The picker says which range the page shows (its preset pressed, or the custom from/to filled
 * in) and what the range's loading said; a preset or a custom from/to sets the range of the
 * board's controller (pulseboard-history.js, loaded first: "-h" < "-p"), which writes it into the
 * URL and draws it. A kiosk page has no picker; its URL's range is drawn all the same.
 */
(function (root) {
    "use strict";

    var shared = root.PulseboardHistory;
    if (!shared) {
        return;
    }

    function show(made) {
        var view = made.view;
        var R = root.pulseboardRange;
        var bar = root.document.getElementById("pb-range");
        if (!bar) {
            return;  // a kiosk page
        }
        var pressed = false;
        bar.querySelectorAll(".pb-range-preset").forEach(function (button) {
            var from = button.getAttribute("data-from") || "";
            var on = view.range === null ? from === "" : from === view.range.from && R.sliding(view.range);
            pressed = pressed || on;
            button.setAttribute("aria-pressed", on ? "true" : "false");
        });
        var custom = view.range !== null && !pressed;
        made.tools.setProps("pb-range-from", {value: custom ? view.range.from : ""});
        made.tools.setProps("pb-range-to", {value: custom ? view.range.to : ""});
        made.tools.setProps("pb-range-note", {children: view.note});
        bar.classList.toggle("pb-range-custom-on", custom);
    }

    function onClick(event) {
        var target = event.target;
        var current = shared.current;
        if (!current || !target || typeof target.closest !== "function") {
            return;
        }
        var preset = target.closest(".pb-range-preset");
        if (preset) {
            var from = preset.getAttribute("data-from") || "";
            current.setRange(from ? {from: from, to: preset.getAttribute("data-to") || "now"} : null, false);
            return;
        }
        var link = target.closest(".pb-export");
        if (link) {
            // Pointed at this panel's series and the range shown just before the browser follows it.
            var panelId = link.getAttribute("data-panel");
            var base = root.pulseboard.settings.stream.replace(/\/api\/stream.*$/, "");
            link.href = root.pulseboardRange.exportUrl(base, current.view.keys.get(panelId) || [], current.view.range);
            link.setAttribute("download", "");
        }
    }

    function onSubmit(event) {
        var form = event.target;
        var current = shared.current;
        if (!current || !form || !form.classList || !form.classList.contains("pb-range-custom")) {
            return;
        }
        event.preventDefault();
        var from = (root.document.getElementById("pb-range-from").value || "").trim();
        var to = (root.document.getElementById("pb-range-to").value || "").trim() || "now";
        if (from) {
            current.setRange({from: from, to: to}, false);
        }
    }

    shared.onShow = show;
    root.document.addEventListener("click", onClick, true);
    root.document.addEventListener("submit", onSubmit, true);
})(window);
