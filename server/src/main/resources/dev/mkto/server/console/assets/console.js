// mkto admin console: the little the pages need beyond HTML. Everything works without it.
(function () {
  "use strict";

  // The "Access API" permission tree: the parent selects every permission; a Read-Write
  // permission shows the Read-Only one it includes as held (checked, not editable).
  function initTree(parent) {
    var list = parent.closest("fieldset").querySelector("[data-tree-children]");
    var boxes = Array.prototype.slice.call(list.querySelectorAll("input[type=checkbox]"));
    function byLabel(label) {
      return boxes.filter(function (b) { return b.value === label; })[0];
    }
    function sync() {
      boxes.forEach(function (b) {
        var rw = b.getAttribute("data-included-in");
        if (!rw) { return; }
        var includer = byLabel(rw);
        var note = document.getElementById(b.id + "-note");
        var implied = includer && includer.checked;
        if (implied) {
          b.checked = true;
          b.disabled = true;
        } else if (b.disabled) {
          b.disabled = false;
          b.checked = false;
        }
        if (note) { note.classList.toggle("hidden", !implied); }
      });
      var all = boxes.every(function (b) { return b.checked; });
      var some = boxes.some(function (b) { return b.checked; });
      parent.checked = all;
      parent.indeterminate = some && !all;
    }
    parent.addEventListener("change", function () {
      var on = parent.checked;
      boxes.forEach(function (b) { b.disabled = false; b.checked = on; });
      sync();
    });
    boxes.forEach(function (b) { b.addEventListener("change", sync); });
    sync();
  }

  // Copy buttons next to read-only values.
  function initCopy(button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) { return; }
      var done = function () {
        var label = button.firstChild;
        label.nodeValue = "Copied";
        setTimeout(function () { label.nodeValue = "Copy"; }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
      } else {
        field.select();
        try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-tree-parent]"), initTree);
    Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), initCopy);
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
}());
