"""On a phone, the sidebar gets out of the way once a page is chosen in it.

Below Streamlit's "md" breakpoint (768 px) the sidebar covers the page. Streamlit folds it
after a tap on a page link only when the browser's user agent names a phone; a narrow window
whose browser says otherwise (a phone's "desktop site" mode, some in-app browsers, a tablet in
split view) kept it open over the page just chosen, and Streamlit then remembers it open for
every later visit. The small script below folds it after a page link is tapped whenever the
window is that narrow and the sidebar is still open (so it never undoes Streamlit's own fold).
It listens once per browser tab; taps on the sidebar's other widgets (language, identity) are
not navigation and leave it open.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["NARROW_PX", "fold_sidebar_after_navigation"]

#: Streamlit's own limit: at most this wide, the sidebar starts folded and covers the page.
NARROW_PX = 767

_SCRIPT = """
<script>
(() => {
  if (window.__eeFoldSidebar) return;
  window.__eeFoldSidebar = true;
  document.addEventListener("click", (event) => {
    if (window.innerWidth > NARROW_PX) return;
    if (!event.target.closest('[data-testid="stSidebarNav"] a')) return;
    setTimeout(() => {
      const open = document.querySelector(
        '[data-testid="stSidebarCollapseButton"] button[aria-expanded="true"]'
      );
      if (open) open.click();
    }, 50);
  });
})();
</script>
""".replace("NARROW_PX", str(NARROW_PX))


def fold_sidebar_after_navigation() -> None:
    """Add the script to the sidebar (it draws nothing; it runs once per browser tab)."""
    with st.sidebar:
        st.html(_SCRIPT, unsafe_allow_javascript=True, width="content")
