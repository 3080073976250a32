// copro site search: Pagefind's JavaScript API behind an accessible form.
// Filters are checkbox groups: OR within a group, AND across groups. The result
// count is announced through a polite live region. Only this site's files are
// fetched (the Content-Security-Policy allows nothing else).
const siteRoot = new URL("../", import.meta.url);
const form = document.getElementById("search");
const input = document.getElementById("search-input");
const count = document.getElementById("result-count");
const list = document.getElementById("results");
const more = document.getElementById("more-results");
const recent = document.getElementById("recent");
const clear = document.getElementById("clear-filters");
const PAGE = 20;
let pagefind = null;
let latest = 0;
let shown = [];
let shownCount = 0;

async function load() {
  if (!pagefind) {
    pagefind = await import(new URL("pagefind/pagefind.js", siteRoot).href);
    await pagefind.options({ baseUrl: siteRoot.pathname });
    await pagefind.init();
  }
  return pagefind;
}

function chosenFilters() {
  const filters = {};
  for (const box of form.querySelectorAll("fieldset[data-group] input:checked")) {
    (filters[box.name] ??= { any: [] }).any.push(box.value);
  }
  return filters;
}

// Pagefind's excerpt is text with <mark> around matches: keep exactly that, nothing else.
function excerptNodes(html) {
  const doc = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  const out = [];
  for (const node of doc.body.firstChild.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.push(mark);
    } else {
      out.push(document.createTextNode(node.textContent));
    }
  }
  return out;
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
  if (data.excerpt) {
    const excerpt = document.createElement("p");
    excerpt.append(...excerptNodes(data.excerpt));
    item.append(excerpt);
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

async function run() {
  const ticket = ++latest;
  const query = input.value.trim();
  const filters = chosenFilters();
  remember(query, filters);
  if (!query && Object.keys(filters).length === 0) {
    list.replaceChildren();
    more.hidden = true;
    recent.hidden = false;
    count.textContent = "";
    return;
  }
  const pf = await load();
  const options = { filters };
  if (!query) options.sort = { date: "desc" };
  const search = await pf.search(query || null, options);
  if (ticket !== latest) return;
  shown = search.results;
  shownCount = 0;
  list.replaceChildren();
  recent.hidden = true;
  await showMore();
  if (ticket !== latest) return;
  const n = shown.length;
  count.textContent = n === 0
    ? "No engagements match. Try fewer words or fewer filters."
    : `${n} engagement${n === 1 ? "" : "s"} found`;
}

let timer = null;
function soon() {
  clearTimeout(timer);
  timer = setTimeout(run, 150);
}

function restore() {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  for (const box of form.querySelectorAll("fieldset[data-group] input")) {
    box.checked = params.getAll(box.name).includes(box.value);
    if (box.checked) box.closest("details").open = true;
  }
}

form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
input.addEventListener("input", soon);
form.addEventListener("change", (event) => { if (event.target.type === "checkbox") run(); });
more.addEventListener("click", () => { const first = shownCount; showMore().then(() => list.children[first]?.querySelector("a")?.focus()); });
clear.addEventListener("click", () => {
  for (const box of form.querySelectorAll("fieldset[data-group] input:checked")) box.checked = false;
  run();
});
document.getElementById("no-search").hidden = true;
form.hidden = false;
restore();
if (location.search) run();
