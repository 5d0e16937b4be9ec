/* Review queue: live checks of edited drafts and keyboard shortcuts. No dependencies.
 *
 * The limits, refused terms and forbidden title characters come from the server
 * (<script id="review-rules" type="application/json">, rendered with json_script), the same
 * numbers the server's own checks use; the server re-checks on approval, so these are a guide.
 * Fields say how they are checked with data attributes (data-limit-key, data-count="bytes",
 * data-check="money"), which the review screen renders from each kind's field declarations;
 * the listing editor's fields are recognised by name (title, bullets, search_terms, price).
 */
(function () {
  "use strict";

  var encoder = new TextEncoder();
  var chars = function (s) { return Array.from(s).length; }; // code points, like Python's len()
  var bytes = function (s) { return encoder.encode(s).length; };

  function rules() {
    var el = document.getElementById("review-rules");
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function fmt(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (m, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : m;
    });
  }

  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  // Whole-word, case-insensitive, like content_checks._banned_in ((?<!\w)term(?!\w)).
  function bannedIn(text, terms) {
    var lowered = text.toLowerCase();
    return (terms || []).filter(function (term) {
      var re = new RegExp("(?<![\\p{L}\\p{N}_])" + escapeRe(term) + "(?![\\p{L}\\p{N}_])", "u");
      return re.test(lowered);
    });
  }

  function counterFor(field) {
    return document.querySelector('[data-counter-for="' + field.id + '"]');
  }

  function checkForm(form) {
    var r = rules();
    if (!r) return;
    var limits = r.limits || {}, msg = r.messages || {}, issues = [], warnings = [], texts = [];
    var bulletCount = 0, blocking = 0, bulletsChanged = false;
    // The listing editor (data-block-changed-only) blocks saving only on problems of the fields
    // being changed, as the server does: old copy with an error never blocks a price-only edit.
    var changedOnly = form.hasAttribute("data-block-changed-only");
    form.querySelectorAll("[data-live]").forEach(function (field) {
      var name = field.dataset.live, value = field.value, max = limits[field.dataset.limitKey];
      var changed = !changedOnly || value !== field.defaultValue;
      var before = issues.length;
      var n = chars(value), b = bytes(value), over = false, text;
      if (field.dataset.count === "bytes" || name === "search_terms") {
        over = !!max && b > max;
        text = max ? fmt(msg.bytes, { n: b, max: max }) : fmt(msg.bytes_info, { n: b });
      } else {
        over = !!max && n > max;
        text = (max ? fmt(msg.chars, { n: n, max: max }) : fmt(msg.chars_nolimit, { n: n })) +
          " · " + fmt(msg.bytes_info, { n: b });
      }
      if (over) text += " — " + msg.over;
      var counter = counterFor(field);
      if (counter) {
        counter.textContent = text;
        counter.classList.toggle("over", over);
      }
      field.classList.toggle("is-over", over);
      if (over) issues.push(text);
      if (changed) blocking += issues.length - before;
      // Refused terms per field, so an old one elsewhere does not block this field's save.
      var banned = name === "price" || field.dataset.check ? [] : bannedIn(value, r.banned_terms);
      banned.forEach(function (term) {
        var issue = fmt(msg.banned, { t: term });
        if (changed) blocking += 1;
        if (issues.indexOf(issue) === -1) issues.push(issue);
      });
      before = issues.length;
      if (field.dataset.check === "money" || field.dataset.check === "integer") {
        var number = Number(value.replace(",", "."));
        var bad = !value.trim() || !isFinite(number) ||
          (field.dataset.check === "money" ? number <= 0 : Math.floor(number) !== number);
        if (bad) issues.push(field.dataset.check === "money" ? (msg.price || msg.amount) : msg.whole);
        if (changed) blocking += issues.length - before;
        return;
      }
      if (name === "price") {
        var price = Number(value.replace(",", "."));
        if (!value.trim() || !isFinite(price) || price <= 0) issues.push(msg.price);
        if (changed) blocking += issues.length - before;
        return;
      }
      if (name === "bullets" && value.trim()) bulletCount += 1;
      if (name === "bullets" && changed) bulletsChanged = true;
      if (name === "title") {
        if (!value.trim()) issues.push(msg.required);
        if (limits.title_mobile_warn && n > limits.title_mobile_warn && !over) {
          warnings.push(fmt(msg.mobile, { max: limits.title_mobile_warn }));
        }
        var bad = Array.from(new Set(Array.from(value).filter(function (c) {
          return (r.title_forbidden_chars || "").indexOf(c) !== -1;
        }))).sort();
        if (bad.length) issues.push(fmt(msg.forbidden, { c: bad.join(" ") }));
      }
      if (changed) blocking += issues.length - before;
      texts.push(value);
    });
    if (limits.bullets_max && bulletCount > limits.bullets_max) {
      issues.push(fmt(msg.bullets_count, { n: bulletCount, max: limits.bullets_max }));
      if (!changedOnly || bulletsChanged) blocking += 1;
    }
    var list = form.querySelector("[data-live-issues]");
    if (list) {
      list.replaceChildren();
      issues.forEach(function (issue) {
        var li = document.createElement("li");
        li.className = "error";
        li.textContent = issue;
        list.appendChild(li);
      });
      warnings.forEach(function (warning) {
        var li = document.createElement("li");
        li.className = "warn";
        li.textContent = warning;
        list.appendChild(li);
      });
      if (!issues.length && !warnings.length && msg.ok) {
        var ok = document.createElement("li");
        ok.className = "muted";
        ok.textContent = msg.ok;
        list.appendChild(ok);
      }
    }
    var save = form.querySelector("[data-action=save]");
    if (save) save.disabled = blocking > 0;
  }

  function checkAll() {
    document.querySelectorAll("[data-live-form]").forEach(checkForm);
  }

  // --- sections (edit / reject) --------------------------------------------------------------
  function section(name) { return document.querySelector('#draft-detail [data-section="' + name + '"]'); }

  function toggle(name, open) {
    var target = section(name);
    if (!target) return;
    var show = open === undefined ? target.hidden : open;
    ["edit", "reject"].forEach(function (other) {
      var el = section(other);
      if (el) el.hidden = other === name ? !show : (show ? true : el.hidden);
    });
    document.querySelectorAll("#draft-detail [data-toggle]").forEach(function (b) {
      var el = section(b.dataset.toggle);
      b.setAttribute("aria-expanded", el && !el.hidden ? "true" : "false");
    });
    if (show) {
      var first = target.querySelector("input:not([type=hidden]), textarea, select");
      if (first) {
        first.focus();
        if (first.setSelectionRange && first.tagName !== "SELECT") {
          first.setSelectionRange(first.value.length, first.value.length);
        }
      }
      if (name === "edit") checkForm(target);
    }
  }

  // --- moving between drafts -----------------------------------------------------------------
  function rows() { return Array.from(document.querySelectorAll("[data-draft-row]")); }

  function markCurrent() {
    var detail = document.getElementById("draft-detail");
    var id = detail && detail.dataset.draftId;
    rows().forEach(function (row) { row.classList.toggle("is-current", row.dataset.draftId === id); });
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var i = all.findIndex(function (row) { return row.classList.contains("is-current"); });
    var next = all[i === -1 ? 0 : Math.min(all.length - 1, Math.max(0, i + step))];
    var link = next && next.querySelector("a[data-open]");
    if (link && next !== all[i]) link.click();
  }

  function press(selector) {
    var button = document.querySelector(selector);
    if (button && !button.disabled && button.offsetParent !== null) button.click();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    var t = event.target;
    if (t && t.closest && t.closest("input, textarea, select, [contenteditable]")) {
      if (event.key === "Escape") t.blur();
      if (event.key === "Enter" && t.matches("[data-single-line]")) event.preventDefault();
      return;
    }
    if (!document.getElementById("draft-detail")) return;
    var handled = true;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "e": toggle("edit", true); break;
      case "r": toggle("reject", true); break;
      case "a": {
        var edit = section("edit");
        press(edit && !edit.hidden ? "#draft-detail [data-action=save]" : "#draft-detail [data-action=approve]");
        break;
      }
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var toggler = event.target.closest && event.target.closest("#draft-detail [data-toggle]");
    if (toggler) {
      toggle(toggler.dataset.toggle);
      return;
    }
    var all = event.target.closest && event.target.closest("[data-select-all]");
    if (all) {
      document.querySelectorAll('#bulk-form input[name="ids"]').forEach(function (box) {
        box.checked = all.checked;
      });
    }
  });

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("[data-live-form]");
    if (form) checkForm(form);
  });

  // "Everything matching the filter" asks once before starting the job.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-bulk-form]")) return;
    var scope = form.querySelector("[data-bulk-scope]");
    var option = scope && scope.selectedOptions[0];
    if (option && option.dataset.confirm && !window.confirm(option.dataset.confirm)) {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    markCurrent();
    checkAll();
    // j/k on a long list: bring the newly opened draft into view.
    var detail = document.getElementById("draft-detail");
    if (detail && event.target.contains(detail) && detail.getBoundingClientRect().top < 0) {
      detail.scrollIntoView({ block: "start" });
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    markCurrent();
    checkAll();
  });
})();
