"""CSS and the one piece of JavaScript of the chat page."""

CSS = """
#qa-main { gap: 16px; align-items: flex-start; }
#qa-sources-col { max-height: 80vh; overflow-y: auto; }
.qa-answer p { margin: 0 0 .5em 0; }
.qa-cite { text-decoration: none; font-weight: 600; padding: 0 .1em; }
.qa-cite:focus-visible { outline: 2px solid #2563eb; }
.qa-abstain { font-weight: 600; color: #92400e; }
.qa-may-read { margin-top: .5em; }
.qa-sources h3 { margin: 0 0 .6em 0; font-size: 1rem; }
.qa-source { border: 1px solid var(--border-color-primary, #e5e7eb); border-radius: 8px;
  padding: .6em .8em; margin-bottom: .8em; scroll-margin-top: 1em; transition: box-shadow .3s; }
.qa-source.qa-flash, .qa-source:target { box-shadow: 0 0 0 3px #f59e0b; }
.qa-source-head { margin-bottom: .2em; }
.qa-num { font-weight: 700; color: #2563eb; }
.qa-meta { font-size: .85em; color: var(--body-text-color-subdued, #6b7280); margin-bottom: .4em; }
.qa-passage { margin: 0; padding-left: .8em; border-left: 3px solid #d1d5db; line-height: 1.7;
  white-space: pre-wrap; word-break: break-word; }
.qa-passage mark { background: #fde68a; color: inherit; padding: 0 .1em; }
.qa-empty { color: var(--body-text-color-subdued, #6b7280); padding: 1em 0; }
@media (max-width: 700px) {
  #qa-main { flex-direction: column !important; }
  #qa-main > * { width: 100% !important; min-width: 0 !important; flex: 1 1 auto !important; }
  #qa-sources-col { max-height: none; }
}
"""

JS = """
() => {
  document.addEventListener("click", (event) => {
    const link = event.target.closest ? event.target.closest('a[href^="#src-"]') : null;
    if (!link) return;
    const target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    event.stopPropagation();
    target.scrollIntoView({ behavior: "smooth", block: "start" });
    target.classList.add("qa-flash");
    setTimeout(() => target.classList.remove("qa-flash"), 1600);
  }, true);
}
"""
