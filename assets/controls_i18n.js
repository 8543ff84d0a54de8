/* Words inside third-party controls that have no prop for them (dash-bootstrap-components' pager labels its
   buttons "First", "Previous", "Next", "Last", "(current)" for screen readers): replaced by the user's words,
   which the server puts in the page (<script id="bx-words">, translated with gettext: web/i18n.py). */
(function () {
    var words = null;
    function load() {
        if (words === null) {
            var block = document.getElementById("bx-words");
            try { words = block ? JSON.parse(block.textContent) : {}; } catch (e) { words = {}; }
        }
        return words;
    }
    function translate() {
        var w = load();
        var spans = document.querySelectorAll(".pagination .visually-hidden");
        for (var i = 0; i < spans.length; i++) {
            var node = spans[i].firstChild;
            if (node && node.nodeType === 3 && w[node.nodeValue] && w[node.nodeValue] !== node.nodeValue) {
                node.nodeValue = w[node.nodeValue];  /* the same text node: React keeps managing it */
            }
        }
    }
    new MutationObserver(translate).observe(document.documentElement, {childList: true, subtree: true});
})();
