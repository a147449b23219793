"""A small per-process cache of rendered HTML, for fragments that are a pure function of a
key (the filter panels, the service navigation): least recently used first out, safe
across threads. Nothing in it can go stale while the key holds every input. A deploy (new
templates) starts new processes; in development every cache is emptied whenever the
autoreloader sees a file change, since templates then reload without a restart."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.dispatch import receiver
from django.utils.autoreload import file_changed

_every_cache: list[weakref.ref] = []


class HtmlCache(OrderedDict):
    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        _every_cache.append(weakref.ref(self))

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

    def clear(self) -> None:
        with self._lock:
            super().clear()


def clear_all() -> None:
    for ref in list(_every_cache):
        cache = ref()
        if cache is not None:
            cache.clear()


@receiver(file_changed, dispatch_uid="safeguarding.html_cache.file_changed")
def _file_changed(sender, file_path, **kwargs):
    clear_all()
