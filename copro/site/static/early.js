// Runs before the first paint (a classic script in <head>): marks the page as having
// JavaScript, and as showing search results when the address carries a search, so
// the stylesheet lays out the form and the results from the start and nothing moves
// once search.js has loaded (no layout shift). Opened from file://, browsers refuse
// search.js (a module), so the page keeps the notice that links every engagement.
if (location.protocol !== "file:") {
  document.documentElement.classList.add("js");
  if (location.search.length > 1) document.documentElement.classList.add("searching");
}
