/**
 * The report page's only style sheet and only script, inline. The page's
 * Content-Security-Policy allows exactly these two by their SHA-256 hashes, so the page
 * can load nothing else.
 */

/** Screen and print styles. */
export const PAGE_STYLE = `
:root{--fail:#b00020;--fail-bg:#fdecee;--ok:#05603a;--ok-bg:#e9f7ef;--muted:#555;--line:#d0d0d0}
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;padding:1rem 2rem;max-width:78rem;color:#111;background:#fff}
h1{margin:.2rem 0}h2{margin:1.6rem 0 .6rem;border-bottom:2px solid #111}h3{font-size:1rem;margin:.8rem 0 .4rem}
a{color:#0b4f9c}code{font:12px/1.4 ui-monospace,monospace;overflow-wrap:anywhere}i{color:var(--muted)}
table{border-collapse:collapse;width:100%;margin:.6rem 0}caption{text-align:left;font-weight:600;padding:.2rem 0}
th,td{border:1px solid var(--line);padding:.3rem .45rem;vertical-align:top;text-align:left;overflow-wrap:break-word}
th{background:#f3f3f3}table.counts th{white-space:nowrap}td.num{text-align:right;white-space:nowrap}td.ids a{margin-right:.35rem;white-space:nowrap}
.bad{color:var(--fail)}.good{color:var(--ok)}.off{color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(26rem,1fr));gap:0 1.2rem}
table.failures td:first-child{white-space:nowrap}
table.failures ul{margin:0;padding-left:1rem}
nav ul{list-style:none;padding:0;display:flex;gap:1rem;flex-wrap:wrap}
.status{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:12px;border:1px solid currentColor}
.s-enforced{color:#066}.s-partial{color:#850}.s-planned{color:#666}.s-inherited{color:#246}
.verdict{font-size:12px;white-space:nowrap}.verdict.ok{color:var(--ok)}.verdict.fail{color:var(--fail);font-weight:600}.verdict.none{color:var(--muted)}
#filter{position:sticky;top:0;z-index:1;background:#fff;border-bottom:1px solid var(--line);padding:.5rem 0;display:flex;gap:.8rem;flex-wrap:wrap;align-items:center}
#filter[hidden]{display:none}#filter input{min-width:18rem}#shown{color:var(--muted)}
details.control{border:1px solid var(--line);border-left:4px solid var(--ok);margin:.35rem 0;border-radius:3px}
details.control.failing{border-left-color:var(--fail)}
details.control>summary{cursor:pointer;padding:.45rem .6rem;display:flex;gap:.6rem;align-items:baseline;flex-wrap:wrap}
details.control[open]>summary{background:#f6f6f6;border-bottom:1px solid var(--line)}
.cid{font-weight:700;font-family:ui-monospace,monospace;min-width:7.5rem}.statement{flex:1 1 24rem}
.body{padding:.2rem .8rem .8rem}
.claim{margin:.6rem 0 .9rem}.claim-text{margin:.2rem 0}
.ev{margin:.3rem 0 .3rem 1rem}.ev .verdict{margin:.2rem 0;white-space:normal}.ev.fail>.verdict{color:var(--fail)}.ev.ok>.verdict{color:var(--ok)}
table.resources td:first-child{width:32%}tr.fails td{background:var(--fail-bg)}tr.fails .mark{color:var(--fail);font-weight:700}tr.holds .mark{color:var(--ok)}
dl.values{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .6rem;margin:0}dl.values dt{font-weight:600}dl.values dd{margin:0}
ul.obj,ol.list{margin:0;padding-left:1.1rem}ol.list.one{list-style:none;padding-left:0}ul.obj .k{font-weight:600}ul.obj .k::after{content:":"}
dl.facts{display:grid;grid-template-columns:12rem 1fr;gap:.3rem .8rem;margin:.8rem 0 0}dl.facts dt{font-weight:600}dl.facts dd{margin:0}dl.facts ul{margin:0;padding-left:1.1rem}
code.shortened::after{content:" (shortened)";color:var(--muted);font-style:italic}
.print-only{display:none}
@media print{
  body{max-width:none;padding:0;font-size:11px}
  #filter,nav{display:none}
  .print-only{display:block}
  a{color:inherit;text-decoration:none}
  details.control{break-inside:avoid;page-break-inside:avoid}
  details.control>summary{list-style:none}
  details.control>summary::-webkit-details-marker{display:none}
  details::details-content{content-visibility:visible;display:block}
  .claim,tr,dl.facts{break-inside:avoid;page-break-inside:avoid}
  h2,h3{break-after:avoid;page-break-after:avoid}
  #summary{break-after:page;page-break-after:always}
}
`;

/**
 * The filter (text, status, stage) over controls and acknowledgements, opening a control
 * named by the URL's fragment, and opening every control for printing. Without it the page
 * shows everything and the filter stays hidden.
 */
export const PAGE_SCRIPT = `
(function () {
  'use strict';
  var filter = document.getElementById('filter');
  var q = document.getElementById('q');
  var status = document.getElementById('status');
  var stage = document.getElementById('stage');
  var shown = document.getElementById('shown');
  var note = document.getElementById('print-filter');
  var controls = Array.prototype.slice.call(document.querySelectorAll('details.control'));
  var acks = Array.prototype.slice.call(document.querySelectorAll('#acknowledgements tbody tr'));
  var norm = function (s) { return s.toLowerCase().replace(/\\s+/g, ' ').trim(); };
  var words = function (s) { return norm(s).split(' ').filter(Boolean); };
  var has = function (text, ws) { return ws.every(function (w) { return text.indexOf(w) >= 0; }); };
  var texts = new Map();
  controls.concat(acks).forEach(function (e) { texts.set(e, norm(e.textContent)); });
  var list = function (e, name) { var v = e.getAttribute(name); return v ? v.split(' ') : []; };

  function apply() {
    var query = norm(q.value), ws = words(q.value), st = status.value, sg = stage.value;
    // A control's id shows that control alone; other text matches anywhere in a control.
    var byId = controls.some(function (c) { return c.id.toLowerCase() === query; });
    var n = 0, m = 0;
    controls.forEach(function (c) {
      var stages = list(c, 'data-stages');
      var match = (byId ? c.id.toLowerCase() === query : has(texts.get(c), ws)) &&
        (st === '' || (st === 'failing'
          ? list(c, 'data-failing').some(function (s) { return sg === '' || s === sg; })
          : c.getAttribute('data-status') === st)) &&
        (sg === '' || stages.length === 0 || stages.indexOf(sg) >= 0);
      c.hidden = !match;
      if (match) n++;
      c.querySelectorAll('.ev[data-stage]').forEach(function (e) {
        e.hidden = sg !== '' && e.getAttribute('data-stage') !== sg;
      });
    });
    acks.forEach(function (a) {
      // Acknowledgements have no status: text and stage filter them.
      var match = has(texts.get(a), ws) && (sg === '' || a.getAttribute('data-stage') === sg);
      a.hidden = !match;
      if (match) m++;
    });
    shown.textContent = n + ' of ' + controls.length + ' controls, ' + m + ' of ' + acks.length +
      ' acknowledged findings shown';
    var parts = [];
    if (query) parts.push('text "' + q.value.trim() + '"');
    if (st) parts.push('status ' + status.options[status.selectedIndex].text);
    if (sg) parts.push('stage ' + sg);
    note.textContent = parts.length ? 'Filtered by ' + parts.join(', ') + ': ' + shown.textContent + '.' : '';
    note.hidden = parts.length === 0;
  }

  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var control = target.closest('details.control');
    if (!control) return;
    if (control.hidden) { q.value = ''; status.value = ''; stage.value = ''; apply(); }
    control.open = true;
  }

  var closed = [];
  window.addEventListener('beforeprint', function () {
    closed = Array.prototype.slice.call(document.querySelectorAll('details:not([open])'));
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });
  window.addEventListener('hashchange', openTarget);
  [q, status, stage].forEach(function (e) { e.addEventListener('input', apply); });
  status.addEventListener('change', apply);
  stage.addEventListener('change', apply);
  filter.hidden = false;
  apply();
  openTarget();
})();
`;
