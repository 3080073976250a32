// copro site search: Pagefind's JavaScript API behind an accessible form, understanding
// what `copro search` understands. Question words are dropped; a vocabulary label or
// synonym ("mums") also finds the records tagged with its term or a narrower one (a
// table the build writes, search-terms.json); each concept is searched on its own and
// records are ranked by how many concepts they match, so one word that matches
// nothing never empties the list; a word no page has is corrected from the site's own
// words (search-words.json), saying so. The snippet is the finding that matched.
// Filters are checkbox groups: OR within a group, AND across groups. The result count
// is announced through a polite live region. Only this site's files are fetched (the
// Content-Security-Policy allows nothing else).
const siteRoot = new URL("../", import.meta.url);
const form = document.getElementById("search");
const input = document.getElementById("search-input");
const count = document.getElementById("result-count");
const list = document.getElementById("results");
const more = document.getElementById("more-results");
const clear = document.getElementById("clear-filters");
const PAGE = 20;
const WORD = /[\p{L}\p{N}_][\p{L}\p{N}_'&+\-]*/gu;
let loading = null;
let shardNames = [];
let terms = null;
let words = null;
let latest = 0;
let shown = [];
let shownCount = 0;
let concepts = [];

async function fetchJson(name) {
  const response = await fetch(new URL(`assets/${name}`, siteRoot));
  return response.ok ? response.json() : null;
}

// The index's other shards (a large site is indexed in several, pagefind/shards.json).
async function shards() {
  const response = await fetch(new URL("pagefind/shards.json", siteRoot));
  const listed = response.ok ? await response.json() : null;
  return Array.isArray(listed?.merge) ? listed.merge : [];
}

// Pagefind (every shard merged in) and the vocabulary table, loaded once (the first
// caller starts it, others wait).
function load() {
  loading ??= (async () => {
    const [pf, table, more] = await Promise.all([
      import(new URL("pagefind/pagefind.js", siteRoot).href),
      fetchJson("search-terms.json"),
      shards(),
    ]);
    const baseUrl = siteRoot.pathname;
    await pf.options({ baseUrl });
    await pf.init();
    if (more.length) {
      // Each shard answers to a filter of its own, so a search without words can list
      // shard after shard: merged results are ordered by score, not by date.
      shardNames = ["1", ...more.map((_, i) => String(i + 2))];
      await pf.options({ mergeFilter: { shard: "1" } });
      await Promise.all(more.map((path, i) => pf.mergeIndex(
        new URL(`pagefind/${path}`, siteRoot).href,
        { baseUrl, mergeFilter: { shard: shardNames[i + 1] } },
      )));
    }
    terms = table || { question_words: [], phrases: {}, min_corrected: 4, max_phrase: 5 };
    terms.questions = new Set(terms.question_words);
    return pf;
  })();
  return loading;
}

function normalise(text) {
  return text.toLowerCase().replace(/[-_]/g, " ").split(/\s+/).filter(Boolean).join(" ");
}

// The query as concepts, longest vocabulary phrase first, question words dropped
// (unless nothing else is left), as copro search's concepts_from_text does.
function toConcepts(query) {
  const tokens = query.replace(/\?+(?=\s|$)/g, " ").match(WORD) || [];
  const found = [];
  for (let i = 0; i < tokens.length; ) {
    let concept = null;
    for (let size = Math.min(terms.max_phrase, tokens.length - i); size > 0; size--) {
      const text = tokens.slice(i, i + size).join(" ");
      const facets = terms.phrases[normalise(text)];
      if (facets) {
        concept = { text, facets };
        i += size;
        break;
      }
    }
    if (!concept) concept = { text: tokens[i++], facets: null };
    found.push(concept);
  }
  const subject = found.filter((c) => c.facets || !terms.questions.has(normalise(c.text)));
  return subject.length ? subject : found;
}

// Optimal string alignment distance: insert, delete, replace, or swap neighbours.
function distance(a, b) {
  let before = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2] + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length];
}

async function siteWords() {
  words ??= (await fetchJson("search-words.json")) || {};
  return words;
}

// Whether the site has the word, or a word it begins or that begins it (plural, -ing).
function known(list, typed) {
  if (typed in list) return true;
  for (const word of Object.keys(list)) {
    if (word.startsWith(typed)) return true;
    if (word.length >= 4 && typed.startsWith(word) && typed.length - word.length <= 3) return true;
  }
  return false;
}

// The site's word within two edits (same first letter) when exactly one is closest.
function closestWord(list, typed) {
  let best = Infinity;
  let closest = [];
  for (const candidate of Object.keys(list)) {
    if (candidate[0] !== typed[0] || Math.abs(candidate.length - typed.length) > 2) continue;
    const d = distance(typed, candidate);
    if (d > 2 || d > best) continue;
    if (d < best) closest = [];
    best = d;
    closest.push(candidate);
  }
  return closest.length === 1 ? closest[0] : null;
}

function chosenFilters() {
  const filters = {};
  for (const box of form.querySelectorAll("fieldset[data-group] input:checked")) {
    (filters[box.name] ??= { any: [] }).any.push(box.value);
  }
  return filters;
}

function facetFilter(facets) {
  return { any: Object.entries(facets).map(([group, labels]) => ({ [group]: { any: labels } })) };
}

// The records one concept finds: by its words, and by its term's filter values.
async function recordsFor(pf, concept, filters) {
  const searches = [pf.search(concept.text, { filters })];
  if (concept.facets) {
    searches.push(pf.search(null, { filters: { all: [filters, facetFilter(concept.facets)] } }));
  }
  const found = new Map();
  for (const search of await Promise.all(searches)) {
    for (const result of search?.results || []) {
      if (!found.has(result.id)) found.set(result.id, result);
    }
  }
  return found;
}

// A plain word that no page has is replaced by the site's closest word. (Pagefind's own
// typo tolerance finds pages for it, but silently and loosely: this says what it searched.)
async function corrected(concept) {
  const typed = concept.text.toLowerCase();
  if (concept.facets || typed.length < terms.min_corrected || !/^\p{L}+$/u.test(typed)) return null;
  const list = await siteWords();
  if (known(list, typed)) return null;
  const better = closestWord(list, typed);
  if (!better) return null;
  return { text: better, facets: terms.phrases[normalise(better)] || null, typed: concept.text };
}

// Every record that matches any concept, most concepts first, then Pagefind's score.
async function rank(pf, query, filters) {
  concepts = toConcepts(query);
  const tally = new Map();
  const corrections = [];
  await Promise.all(concepts.map(async (concept, index) => {
    const better = await corrected(concept);
    if (better) {
      concepts[index] = better;
      corrections.push(better);
    }
    const found = await recordsFor(pf, better || concept, filters);
    for (const [id, result] of found) {
      const entry = tally.get(id) || { result, matched: 0, score: 0 };
      entry.matched += 1;
      entry.score += result.score || 0;
      tally.set(id, entry);
    }
  }));
  const ranked = [...tally.values()].sort((a, b) => b.matched - a.matched || b.score - a.score);
  return { ranked, corrections, all: ranked.length > 0 && ranked[0].matched === concepts.length };
}

// Every record the filters keep, newest first: each shard holds a span of dates (the
// newest first), so its own date order, shard after shard, is the site's.
async function newestFirst(pf, filters) {
  const sort = { date: "desc" };
  if (!shardNames.length) return (await pf.search(null, { filters, sort })).results;
  const each = await Promise.all(
    shardNames.map((shard) => pf.search(null, { filters: { ...filters, shard }, sort })),
  );
  return each.flatMap((search) => search.results);
}

// Word beginnings to look for: "interpreters" also finds "interpreter" and "interpreting".
function stemsOf(phrases) {
  return phrases.flatMap((p) => p.toLowerCase().match(WORD) || [])
    .filter((w) => w.length > 2 && !terms.questions.has(w))
    .map((w) => w.slice(0, Math.max(3, w.length - 2)));
}

function labelsOf(concept) {
  return Object.values(concept.facets || {}).flat();
}

// Words to mark in a snippet: each concept's own words and its term's labels.
function conceptWords(concept) {
  return stemsOf([concept.text, ...labelsOf(concept)]);
}

function has(words, stems) {
  return stems.some((s) => words.some((w) => w.startsWith(s)));
}

// The finding that matches the query best: a concept's own words count most, then its
// term's labels in the text, then the finding's topics; ties keep the record's order.
function bestFinding(findings) {
  let best = null;
  let bestScore = 0;
  for (const finding of findings) {
    const own = (finding.text.toLowerCase().match(WORD) || []);
    const topics = finding.topics.map((t) => t.toLowerCase());
    let score = 0;
    for (const concept of concepts) {
      const labels = labelsOf(concept);
      if (has(own, stemsOf([concept.text]))) score += 3;
      else if (has(own, stemsOf(labels))) score += 2;
      else if (labels.some((l) => topics.includes(l.toLowerCase()))) score += 1;
    }
    if (score > bestScore) {
      best = finding;
      bestScore = score;
    }
  }
  return best || findings[0] || null;
}

// The finding's text as nodes, with the words that matched in <mark> (text only, no HTML).
function markedText(text) {
  const stems = concepts.flatMap(conceptWords);
  const out = [];
  let last = 0;
  for (const match of text.matchAll(WORD)) {
    const word = match[0].toLowerCase();
    if (!stems.some((s) => word.startsWith(s))) continue;
    if (match.index > last) out.push(document.createTextNode(text.slice(last, match.index)));
    const mark = document.createElement("mark");
    mark.textContent = match[0];
    out.push(mark);
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}

function findingsOf(data) {
  try {
    const parsed = JSON.parse(data.meta.findings || "[]");
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

function resultItem(data) {
  const item = document.createElement("li");
  item.className = "result";
  const heading = document.createElement("h3");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  const when = document.createElement("p");
  when.className = "hint";
  when.textContent = [data.meta.date, data.meta.lead].filter(Boolean).join(" · ");
  item.append(heading, when);
  const finding = concepts.length ? bestFinding(findingsOf(data)) : null;
  if (finding) {
    const snippet = document.createElement("p");
    snippet.className = "snippet";
    snippet.append(...markedText(finding.text));
    item.append(snippet);
  }
  return item;
}

async function showMore() {
  const next = shown.slice(shownCount, shownCount + PAGE);
  shownCount += next.length;
  const datas = await Promise.all(next.map((r) => r.data()));
  list.append(...datas.map(resultItem));
  more.hidden = shownCount >= shown.length;
}

function remember(query, filters) {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  for (const [group, { any }] of Object.entries(filters)) for (const v of any) params.append(group, v);
  const search = params.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

function summary(n, corrections, all) {
  const found = n === 0
    ? "No engagements match. Try other words or fewer filters."
    : `${n} engagement${n === 1 ? "" : "s"} found.`;
  const notes = [];
  if (corrections.length) {
    const said = concepts.map((c) => c.text).join(" ");
    const typed = corrections.map((c) => c.typed).join(", ");
    notes.push(`Showing results for ${said} (no engagement has the word ${typed}).`);
  }
  if (n > 1 && !all && concepts.length > 1) notes.push("None matches every word: those matching most come first.");
  return [found, ...notes].join(" ");
}

async function run() {
  const ticket = ++latest;
  const query = input.value.trim();
  const filters = chosenFilters();
  remember(query, filters);
  if (!query && Object.keys(filters).length === 0) {
    list.removeAttribute("aria-busy");
    list.replaceChildren();
    more.hidden = true;
    document.documentElement.classList.remove("searching");
    count.textContent = "";
    return;
  }
  document.documentElement.classList.add("searching");
  list.setAttribute("aria-busy", "true");
  let pf;
  try {
    pf = await load();
  } catch {
    // copro serve builds the index in the background: until then, say so.
    pagefind = null;
    document.documentElement.classList.remove("searching");
    list.removeAttribute("aria-busy");
    count.textContent = "Search is not ready yet: try again in a minute. Every engagement can still be read.";
    return;
  }
  let outcome;
  if (query) {
    outcome = await rank(pf, query, filters);
  } else {
    concepts = [];
    const results = await newestFirst(pf, filters);
    outcome = { ranked: results.map((result) => ({ result })), corrections: [], all: true };
  }
  if (ticket !== latest) return;
  shown = outcome.ranked.map((entry) => entry.result);
  shownCount = 0;
  list.replaceChildren();
  await showMore();
  if (ticket !== latest) return;
  count.textContent = summary(shown.length, outcome.corrections, outcome.all);
  list.removeAttribute("aria-busy");
}

let timer = null;
function soon() {
  clearTimeout(timer);
  timer = setTimeout(run, 150);
}

function restore() {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || input.value;
  for (const box of form.querySelectorAll("fieldset[data-group] input")) {
    box.checked = params.getAll(box.name).includes(box.value);
    if (box.checked) box.closest("details").open = true;
  }
}

form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
input.addEventListener("input", soon);
// Start loading Pagefind (WebAssembly, the index entry) as soon as someone is about to type.
input.addEventListener("focus", () => { load().catch(() => {}); }, { once: true });
form.addEventListener("change", (event) => { if (event.target.type === "checkbox") run(); });
more.addEventListener("click", () => { const first = shownCount; showMore().then(() => list.children[first]?.querySelector("a")?.focus()); });
clear.addEventListener("click", () => {
  for (const box of form.querySelectorAll("fieldset[data-group] input:checked")) box.checked = false;
  run();
});
restore();
if (location.search || input.value) run();
