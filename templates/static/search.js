/* jobaudit search. Plain JavaScript, no build step. The index is a set of .js shards
   beside the page (src/search/mod.rs describes them); each calls
   jobauditSearch.register(name, bytes, data) when a <script> tag loads it, which works
   from file:// where fetch does not. The steps of a query follow src/search/query.rs;
   a change to one must be made to the other. Everything from the index reaches the page
   through textContent and attributes, never as HTML. */
(function () {
  "use strict";
  var RESULTS = 20, SHOWN = 10, PREFIX_SHARDS = 2, EXPANSIONS = 50, CANDIDATE_BLOCKS = 4, WORDS = 8;
  // Rows a query may read to check a word against truncated terms (query.rs, ROW_CHECKS).
  var ROW_CHECKS = 8;
  // Doc shards a filtered query may read before it stops looking further back.
  var FILTER_SHARDS = 12;
  var FILTERS = ["status", "backend", "org", "from", "to"];
  var started = performance.now();
  var script = document.getElementById("search-script");
  var results = document.getElementById("search-results");
  var statusLine = document.getElementById("search-status");
  var more = document.getElementById("search-more");
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var scriptBytes = Number(results.getAttribute("data-script-bytes")) || 0;

  var registered = {}, waiting = {}, promises = {}, blockSets = {}, docMaps = {};
  var cost = { bytes: scriptBytes, files: 1 };
  window.jobauditSearch = {
    register: function (name, bytes, data) {
      if (!(name in registered)) {
        registered[name] = data;
        cost.bytes += bytes;
        cost.files += 1;
      }
      if (waiting[name]) {
        waiting[name](data);
        delete waiting[name];
      }
    }
  };

  function load(name) {
    if (!promises[name]) {
      promises[name] = new Promise(function (resolve, reject) {
        if (name in registered) return resolve(registered[name]);
        waiting[name] = resolve;
        var s = document.createElement("script");
        s.src = name + ".js";
        s.onerror = function () { reject(new Error("cannot load " + name + ".js")); };
        document.head.appendChild(s);
      });
    }
    return promises[name];
  }

  // As src/search/tokenize.rs: lower-cased runs of letters and digits; dates stay whole.
  var WORD = /(?<![\p{Alphabetic}\p{N}])\d{4}-\d{2}(?:-\d{2})?(?![\p{Alphabetic}\p{N}])|[\p{Alphabetic}\p{N}]+/gu;
  function tokenize(text) {
    return text.toLowerCase().match(WORD) || [];
  }

  // Runs of letters, digits, - and _, without - or _ at either end (tokenize.rs, pieces).
  function pieces(text) {
    return text.toLowerCase().split(/[^\p{Alphabetic}\p{N}_-]+/u)
      .map(function (p) { return p.replace(/^[-_]+|[-_]+$/g, ""); })
      .filter(function (p) { return p.length > 0; });
  }

  // Names joined by - or _, which are terms of their own (tokenize.rs, compounds).
  function compounds(text) {
    return pieces(text).filter(function (p) { return /[-_]/.test(p) && tokenize(p).length > 1; });
  }

  function decode(text) {
    var ids = [], previous = null;
    if (!text) return ids;
    text.split(",").forEach(function (part) {
      var n = parseInt(part, 36);
      previous = previous === null ? n : previous - n;
      ids.push(previous);
    });
    return ids;
  }

  function parseJump(s) {
    return s ? { kind: s.charAt(0), id: parseInt(s.slice(1), 36) } : null;
  }

  function entry(v) {
    var head, jump = null, count, blocks = [];
    if (typeof v === "string") {
      var semi = v.indexOf(";");
      if (semi >= 0) {
        jump = parseJump(v.slice(0, semi));
        v = v.slice(semi + 1);
      }
      head = decode(v);
      count = head.length;
    } else {
      head = decode(v.p);
      count = v.n;
      blocks = v.b.map(function (b) { return [parseInt(b[0], 36), b[1]]; });
      jump = parseJump(v.j);
    }
    return { head: head, set: new Set(head), count: count, blocks: blocks, jump: jump };
  }

  // The last [key, name] whose key is <= key (strings compare as UTF-16, as the build sorts).
  function lastAtOrBefore(list, key) {
    var found = 0;
    for (var i = 0; i < list.length; i++) if (list[i][0] <= key) found = i;
    return found;
  }

  var manifest = null;

  async function termShards(word, extra) {
    var top = manifest.terms, page = lastAtOrBefore(top, word);
    var list = await load(top[page][1]);
    var i = lastAtOrBefore(list, word), shards = [list[i][1]];
    while (shards.length <= extra) {
      i += 1;
      if (i === list.length) {
        page += 1;
        if (page < top.length && top[page][0].startsWith(word)) {
          list = await load(top[page][1]);
          i = 0;
        } else break;
      }
      if (!list[i][0].startsWith(word)) break;
      shards.push(list[i][1]);
    }
    return shards;
  }

  // A word of digits starts only commits and dates (see query.rs, stands_for).
  function standsFor(word, term) {
    if (!term.startsWith(word)) return false;
    return term === word || !/^[0-9]+$/.test(word) || term.indexOf("-") >= 0 ||
      (term.length >= 7 && /^[0-9a-f]+$/.test(term));
  }

  // Only the last word, the one being typed, looks beyond its own shard.
  async function expand(word, last) {
    var shards = await Promise.all((await termShards(word, last ? PREFIX_SHARDS : 0)).map(load));
    var terms = [];
    shards.forEach(function (shard) {
      Object.keys(shard).forEach(function (t) {
        if (standsFor(word, t)) terms.push(t);
      });
    });
    terms.sort();
    var byTerm = {};
    shards.forEach(function (shard) {
      terms.forEach(function (t) { if (t in shard) byTerm[t] = shard[t]; });
    });
    return terms.slice(0, EXPANSIONS).map(function (t) { return [t, entry(byTerm[t])]; });
  }

  async function blockSet(name) {
    if (!blockSets[name]) blockSets[name] = new Set(decode(await load(name)));
    return blockSets[name];
  }

  // Is id in the older postings of a whole term?
  async function inBlocks(e, id) {
    var oldest = e.head.length ? e.head[e.head.length - 1] : 0;
    if (id >= oldest) return false;
    var k = -1;
    for (var b = 0; b < e.blocks.length; b++) if (e.blocks[b][0] >= id) k = b;
    if (k < 0) return false;
    return (await blockSet(e.blocks[k][1])).has(id);
  }

  // The words of what a request's row shows and filters on.
  async function docWords(id) {
    var d = await doc(id);
    if (!d) return [];
    var parts = [d.project, d.workspace, d.researcher, d.status.join(" "), d.backend.join(" ")];
    d.orgs.forEach(function (o) { parts.push(o.join(" ")); });
    var words = [];
    parts.forEach(function (p) { words = words.concat(tokenize(p), compounds(p)); });
    return words;
  }

  // true: by a whole term; false: by the start of one; null: not at all. The cheap
  // evidence first (query.rs, word_matches): newest postings, the whole word's older
  // postings, and last, when the terms it starts are truncated, the request's own row.
  async function wordMatches(word, terms, id, budget) {
    var byStart = false, i;
    for (i = 0; i < terms.length; i++) {
      if (terms[i][1].set.has(id)) {
        if (terms[i][0] === word) return true;
        byStart = true;
      }
    }
    if (byStart) return false;
    var whole = terms.find(function (t) { return t[0] === word; });
    if (whole && await inBlocks(whole[1], id)) return true;
    var truncated = terms.some(function (t) { return t[0] !== word && t[1].count > t[1].head.length; });
    if (truncated && budget.rows > 0) {
      budget.rows -= 1;
      var own = await docWords(id);
      for (i = 0; i < own.length; i++) {
        if (own[i] !== word && standsFor(word, own[i])) return false;
      }
    }
    return null;
  }

  async function docShard(id) {
    var top = manifest.docs, list = await load(top[lastAtOrBefore(top, id)][1]);
    var name = list[lastAtOrBefore(list, id)][1], shard = await load(name);
    if (!docMaps[name]) {
      var map = new Map();
      shard.d.forEach(function (row) { map.set(shard.f + row[0], row); });
      docMaps[name] = { strings: shard.s, rows: map };
    }
    return docMaps[name];
  }

  async function doc(id) {
    var shard = await docShard(id), row = shard.rows.get(id);
    if (!row) return null;
    var orgs = typeof row[3] === "number" ? [row[3]] : row[3];
    return {
      id: id,
      status: manifest.statuses[row[1]] || ["unknown", "Unknown"],
      backend: manifest.backends[row[2]] || ["", ""],
      orgs: orgs.map(function (i) { return manifest.orgs[i] || ["", ""]; }),
      date: new Date(row[4] * 86400000).toISOString().slice(0, 10),
      project: shard.strings[row[5]],
      workspace: shard.strings[row[6]],
      researcher: shard.strings[row[7]]
    };
  }

  function passes(d, f) {
    if (!d) return false;
    if (f.status && d.status[0] !== f.status) return false;
    if (f.backend && d.backend[0] !== f.backend) return false;
    if (f.org && !d.orgs.some(function (o) { return o[0] === f.org; })) return false;
    if (f.from && d.date < f.from) return false;
    if (f.to && d.date > f.to) return false;
    return true;
  }

  function filtered(f) {
    return FILTERS.some(function (k) { return f[k]; });
  }

  // More words matched whole first, then newest first.
  function rank(hits) {
    hits.sort(function (a, b) { return b.exact - a.exact || b.id - a.id; });
  }

  // A name of several plain words as one term (tokenize.rs, phrase).
  function phrase(text) {
    var ps = pieces(text);
    if (ps.length < 2 || ps.some(function (p) { return /[-_]/.test(p); })) return null;
    return tokenize(text).join("-");
  }

  async function search(query, f) {
    // A name joined by - or _ is one word when the index has it, else its parts are.
    var words = [], groups = [], chunks = pieces(query);
    // A whole name of plain words, when the index has it, is the one word (index.rs).
    var name = phrase(query);
    if (name) {
      var named = (await expand(name, false)).filter(function (t) { return t[0] === name; });
      if (named.length) {
        words.push(name);
        groups.push(named);
        chunks = [];
      }
    }
    var lastWord = chunks.length ? tokenize(chunks[chunks.length - 1]).pop() || "" : "";
    for (var p = 0; p < chunks.length; p++) {
      var piece = chunks[p], lastPiece = p === chunks.length - 1;
      if (compounds(piece).length && words.indexOf(piece) < 0 && words.length < WORDS) {
        var terms = await expand(piece, lastPiece);
        if (terms.length) {
          words.push(piece);
          groups.push(terms);
          continue;
        }
      }
      var parts = tokenize(piece).filter(function (w, i, a) { return a.indexOf(w) === i; });
      for (var i = 0; i < parts.length; i++) {
        if (words.indexOf(parts[i]) < 0 && words.length < WORDS) {
          words.push(parts[i]);
          groups.push(expand(parts[i], lastPiece && parts[i] === lastWord));
        }
      }
    }
    groups = await Promise.all(groups);
    if (!words.length) return filtered(f) ? browse(f) : { hits: [], jump: null, words: words };
    if (groups.some(function (g) { return !g.length; })) return { hits: [], jump: null, words: words };
    var jump = null;
    if (words.length === 1) {
      var exact = groups[0].find(function (t) { return t[0] === words[0]; });
      if (exact && exact[1].jump) jump = { kind: exact[1].jump.kind, id: exact[1].jump.id, word: words[0] };
    }
    // The word with the fewest requests gives the candidates: those of the whole word
    // first, newest first, then those of the terms it starts.
    var driver = 0, least = Infinity;
    groups.forEach(function (g, i) {
      var n = g.reduce(function (sum, t) { return sum + t[1].count; }, 0);
      if (n < least) { least = n; driver = i; }
    });
    var whole = groups[driver].find(function (t) { return t[0] === words[driver]; });
    var candidates = whole ? whole[1].head.slice() : [];
    var starts = new Set();
    groups[driver].forEach(function (t) {
      if (t[0] !== words[driver]) t[1].head.forEach(function (id) { starts.add(id); });
    });
    candidates = candidates.concat(Array.from(starts).sort(function (a, b) { return b - a; }));
    var blocks = whole ? whole[1].blocks.slice(0, CANDIDATE_BLOCKS) : [];
    var checked = new Set(), hits = [], docShards = new Set(), budget = { rows: ROW_CHECKS };
    for (;;) {
      for (var c = 0; c < candidates.length && hits.length < RESULTS; c++) {
        var id = candidates[c];
        if (checked.has(id)) continue;
        checked.add(id);
        var exactCount = 0, every = true;
        for (var g = 0; g < groups.length; g++) {
          var m = await wordMatches(words[g], groups[g], id, budget);
          if (m === null) { every = false; break; }
          if (m) exactCount += 1;
        }
        if (!every) continue;
        if (filtered(f)) {
          if (docShards.size >= FILTER_SHARDS) break;
          docShards.add(await docShard(id));
          if (!passes(await doc(id), f)) continue;
        }
        hits.push({ id: id, exact: exactCount });
      }
      if (hits.length >= RESULTS || !blocks.length || docShards.size >= FILTER_SHARDS) break;
      candidates = decode(await load(blocks.shift()[1]));
    }
    rank(hits);
    return { hits: hits.slice(0, RESULTS), jump: jump, words: words };
  }

  // No words, some filters: the newest requests that pass, from the newest doc shards.
  async function browse(f) {
    var hits = [], top = manifest.docs, read = 0;
    for (var p = top.length - 1; p >= 0 && hits.length < RESULTS && read < FILTER_SHARDS; p--) {
      var list = await load(top[p][1]);
      for (var s = list.length - 1; s >= 0 && hits.length < RESULTS && read < FILTER_SHARDS; s--) {
        read += 1;
        var shard = await load(list[s][1]);
        var ids = shard.d.map(function (row) { return shard.f + row[0]; }).sort(function (a, b) { return b - a; });
        for (var i = 0; i < ids.length && hits.length < RESULTS; i++) {
          if (passes(await doc(ids[i]), f)) hits.push({ id: ids[i], exact: 0 });
        }
      }
    }
    return { hits: hits, jump: null, words: [] };
  }

  function requestHref(d) {
    return "../" + encodeURIComponent(d.project) + "/" + encodeURIComponent(d.workspace) + "/" + d.id + "/index.html";
  }

  function jumpHref(d, jump) {
    return requestHref(d) + (jump.kind === "j" ? "#job-" + encodeURIComponent(jump.word) : "");
  }

  function span(cls, text) {
    var e = document.createElement("span");
    e.className = cls;
    e.textContent = text;
    return e;
  }

  function item(d, answer) {
    var li = document.createElement("li");
    li.className = "result";
    li.setAttribute("data-id", String(d.id));
    var pill = span("pill pill--" + d.status[0], d.status[1]);
    pill.setAttribute("data-status", d.status[0]);
    li.appendChild(pill);
    var a = document.createElement("a");
    a.className = "result-link";
    var jumpHere = answer.jump && answer.jump.id === d.id;
    a.href = jumpHere ? jumpHref(d, answer.jump) : requestHref(d);
    a.textContent = "Job request " + d.id + (jumpHere && answer.jump.kind === "j" ? " (job " + answer.jump.word + ")" : "");
    li.appendChild(a);
    li.appendChild(span("workspace", d.workspace));
    li.appendChild(span("researcher meta", d.researcher));
    var backend = span("backend meta", d.backend[1]);
    backend.setAttribute("data-backend", d.backend[0]);
    li.appendChild(backend);
    var t = document.createElement("time");
    t.className = "meta";
    t.dateTime = d.date;
    t.textContent = d.date;
    li.appendChild(t);
    return li;
  }

  // The first SHOWN results; the rest, already found, on request, so that the rows of
  // results far apart in the archive are loaded only when wanted.
  function render(docs, answer, f) {
    results.replaceChildren.apply(results, docs.map(function (d) { return item(d, answer); }));
    var n = answer.hits.length, rest = answer.hits.slice(SHOWN);
    more.hidden = !rest.length;
    more.onclick = async function () {
      more.hidden = true;
      var extra = (await Promise.all(rest.map(function (h) { return doc(h.id); }))).filter(Boolean);
      extra.forEach(function (d) { results.appendChild(item(d, answer)); });
      results.setAttribute("data-bytes", String(cost.bytes));
    };
    if (!answer.words.length && !filtered(f)) statusLine.textContent = "";
    else if (!n) statusLine.textContent = "No job requests match.";
    else statusLine.textContent = (n >= RESULTS ? "The first " + n : n) + " matching job request" + (n === 1 ? "" : "s") + ", best first.";
  }

  function readForm() {
    var f = {};
    FILTERS.forEach(function (k) { f[k] = form.elements[k].value; });
    return f;
  }

  function syncUrl(q, f) {
    var params = new URLSearchParams();
    if (q) params.set("q", q);
    FILTERS.forEach(function (k) { if (f[k]) params.set(k, f[k]); });
    var s = params.toString();
    try {
      history.replaceState(null, "", s ? "?" + s : location.pathname.split("/").pop());
    } catch (e) {
      // Some browsers refuse to change a file:// URL; the search still works.
    }
  }

  var generation = 0;
  async function run(jumpAllowed) {
    var mine = ++generation, q = input.value, f = readForm(), began = performance.now();
    syncUrl(q, f);
    results.setAttribute("data-state", "searching");
    try {
      var answer = await search(q, f);
      var jumping = jumpAllowed && answer.jump && !filtered(f);
      // A query that goes to a page loads only that page's row.
      var ids = jumping ? [answer.jump.id] : answer.hits.slice(0, SHOWN).map(function (h) { return h.id; });
      var docs = (await Promise.all(ids.map(doc))).filter(Boolean);
      if (mine !== generation) return;
      render(docs, answer, f);
      results.setAttribute("data-bytes", String(cost.bytes));
      results.setAttribute("data-files", String(cost.files));
      // What this query cost (the tests read these): bytes of script and index loaded
      // since the page opened, the query's milliseconds, and the page's since it opened.
      results.setAttribute("data-ms", String(Math.round(performance.now() - began)));
      results.setAttribute("data-page-ms", String(Math.round(performance.now() - started)));
      results.setAttribute("data-state", "done");
      if (jumping) {
        var target = docs.find(function (d) { return d.id === answer.jump.id; });
        if (target) location.replace(jumpHref(target, answer.jump));
      }
    } catch (err) {
      if (mine !== generation) return;
      statusLine.textContent = "Search failed: " + err.message;
      results.setAttribute("data-state", "error");
    }
  }

  function option(select, value, label) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    select.appendChild(o);
  }

  async function start() {
    manifest = await load(script.getAttribute("data-manifest").replace(/\.js$/, ""));
    manifest.statuses.forEach(function (s) { option(form.elements.status, s[0], s[1]); });
    manifest.backends.forEach(function (b) { option(form.elements.backend, b[0], b[1]); });
    manifest.orgs.forEach(function (o) { option(form.elements.org, o[0], o[1]); });
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    FILTERS.forEach(function (k) { form.elements[k].value = params.get(k) || ""; });
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(false); }, 120);
    });
    form.addEventListener("change", function (e) { if (e.target !== input) run(false); });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      run(true);
    });
    // A shared or bookmarked ?q= that names a request or job goes to it, unless jump=0.
    await run(params.get("jump") !== "0");
  }

  function begin() {
    start().catch(function (err) {
      statusLine.textContent = "Search is unavailable: " + err.message;
      results.setAttribute("data-state", "error");
    });
  }
  // The page loads the manifest with its own tag after this script, saving a round trip;
  // by DOMContentLoaded it has registered.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", begin);
  else begin();
})();
