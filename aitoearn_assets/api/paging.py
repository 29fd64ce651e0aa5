"""Paging state for list endpoints, kept apart from the transport.

The backend parses nested query objects with `qs`, so paging must be sent in bracket
notation (`pagination[limit]`, `pagination[cursor]`). Flat `cursor=`/`limit=` are silently
dropped by the server, which would serve page 1 forever: this module never produces them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aitoearn_assets.api.models import WorksPage


@dataclass
class WorksPaginator:
    """Walks one account's works list and says why it stopped.

    Stops when `hasNext` is false, and also (with `stop_warning` set) when the server repeats a
    cursor or sends an empty page that claims more, so a faulty server cannot loop forever.
    """

    limit: int | None
    cursor: str | None = None
    page: int | None = None
    pages: int = 0
    stop_warning: str | None = None
    _seen_cursors: set[str] = field(default_factory=set)
    done: bool = False

    def params(self) -> dict[str, str]:
        """Query parameters for the next request."""
        params: dict[str, str] = {}
        if self.page is not None:
            params["pagination[page]"] = str(self.page)
            if self.limit is not None:
                params["pagination[pageSize]"] = str(self.limit)
            return params
        if self.limit is not None:
            params["pagination[limit]"] = str(self.limit)
        if self.cursor is not None:
            params["pagination[cursor]"] = self.cursor
        return params

    def advance(self, page: WorksPage) -> None:
        """Take in the page just served and decide whether another request is due."""
        self.pages += 1
        p = page.pagination
        if not p.has_next:
            self.done = True
        elif not page.size:
            self.done = True
            self.stop_warning = f"page {self.pages} was empty but claimed more (hasNext true); stopped listing"
        elif p.mode == "page":
            self.page = (p.page or self.page or 1) + 1
        elif p.next_cursor is None:
            self.done = True
            self.stop_warning = f"page {self.pages} claimed more but sent no nextCursor; stopped listing"
        elif p.next_cursor in self._seen_cursors:
            self.done = True
            self.stop_warning = f"the server repeated cursor {p.next_cursor!r} on page {self.pages}; stopped listing"
        else:
            self._seen_cursors.add(p.next_cursor)
            self.cursor = p.next_cursor
