// copro serve: the "Asked before?" panel follows the population and topic choices.
// The form works without this script (its "Check who was asked before" button asks
// the server); with it, the panel updates as boxes are ticked, announced politely.
const form = document.querySelector("form.edit-form");
const result = document.getElementById("asked-before-result");
let timer = null;
let latest = 0;

async function refresh() {
  const asked = ++latest;
  const query = new URLSearchParams();
  for (const box of form.querySelectorAll("input[name=population]:checked, input[name=topic]:checked")) {
    query.append(box.name, box.value);
  }
  query.append("title", form.querySelector("input[name=title]").value);
  const response = await fetch(`new/asked-before?${query}`, { credentials: "same-origin" });
  if (!response.ok || asked !== latest) return;
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = doc.getElementById("asked-before-result");
  if (fresh) result.replaceChildren(...fresh.childNodes);
}

if (form && result) {
  form.addEventListener("change", (event) => {
    if (!["population", "topic"].includes(event.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
}
