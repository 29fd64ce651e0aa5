"""The paginator alone: bracket parameters, both paging modes, and its stop rules."""

from __future__ import annotations

from aitoearn_assets.api.models import Pagination, WorksPage
from aitoearn_assets.api.paging import WorksPaginator


def page(items: int, **pagination: object) -> WorksPage:
    return WorksPage(served_items=[{}] * items, pagination=Pagination.from_api(pagination), request_id=None)


def test_cursor_mode_sends_only_bracket_parameters():
    paginator = WorksPaginator(limit=50)
    assert paginator.params() == {"pagination[limit]": "50"}
    paginator.advance(page(50, mode="cursor", hasNext=True, nextCursor="abc"))
    assert paginator.params() == {"pagination[limit]": "50", "pagination[cursor]": "abc"}
    paginator.advance(page(3, mode="cursor", hasNext=False, nextCursor="tiktok-sends-one-anyway"))
    assert paginator.done and paginator.stop_warning is None and paginator.pages == 2


def test_page_mode_counts_pages():
    paginator = WorksPaginator(limit=20, page=1)
    assert paginator.params() == {"pagination[page]": "1", "pagination[pageSize]": "20"}
    paginator.advance(page(20, mode="page", page=1, hasNext=True))
    assert paginator.params()["pagination[page]"] == "2"


def test_none_mode_is_a_single_page():
    paginator = WorksPaginator(limit=None)
    paginator.advance(page(5, mode="none", hasNext=True))
    assert paginator.done and paginator.stop_warning is None


def test_claims_without_a_cursor_stop_with_a_warning():
    paginator = WorksPaginator(limit=10)
    paginator.advance(page(10, mode="cursor", hasNext=True))
    assert paginator.done and "no nextCursor" in paginator.stop_warning
