"""A small per-process cache of rendered HTML, for fragments that are a pure function of a
key (the filter panels, the service navigation): least recently used first out, safe
across threads. Nothing in it can go stale while the key holds every input, and a deploy
(new templates) starts new processes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class HtmlCache(OrderedDict):
    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], str], *, max_entries: int) -> str:
        """The HTML kept for `key`, or `render()` kept for next time."""
        with self._lock:
            html = self.get(key)
            if html is not None:
                self.move_to_end(key)
                return html
        html = render()
        with self._lock:
            self[key] = html
            while len(self) > max_entries:
                self.popitem(last=False)
        return html
