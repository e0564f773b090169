// Keyboard shortcuts of the moderator console (listed in its header): n claims the next waiting chat, / jumps
// to the reply box of the front conversation, [ and ] move between open conversations, Esc leaves a field,
// ? shows the list. Keys typed into a field are left alone.
const root = document.getElementById("support-console");

if (root) {
  const panes = () => [...root.querySelectorAll(".console-pane")];
  const typing = (element) => element && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));

  function focusPane(step) {
    const list = panes();
    if (!list.length) return;
    const current = list.findIndex((pane) => pane.contains(document.activeElement));
    const next = list[(current + step + list.length) % list.length];
    const target = next.querySelector('[data-role="composer"] input, button');
    if (target) {
      target.focus();
      next.scrollIntoView({ block: "nearest" });
    }
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && typing(document.activeElement)) {
      document.activeElement.blur();
      return;
    }
    if (typing(event.target)) return;
    if (event.key === "n") {
      const claim = root.querySelector('[data-role="waiting"] button');
      if (claim) {
        event.preventDefault();
        claim.click();
      }
    } else if (event.key === "/") {
      const reply = root.querySelector('.console-pane [data-role="composer"] input');
      if (reply) {
        event.preventDefault();
        reply.focus();
      }
    } else if (event.key === "]" || event.key === "[") {
      event.preventDefault();
      focusPane(event.key === "]" ? 1 : -1);
    } else if (event.key === "?") {
      const list = root.querySelector("[data-console-shortcuts]");
      if (list) list.open = !list.open;
    }
  });
}
