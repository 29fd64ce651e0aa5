"""The sandbox keeps the API's contract: envelope, auth, paging rules and error codes."""

from __future__ import annotations

import httpx
import pytest

from aitoearn_assets.sandbox import SANDBOX_API_KEY, SandboxDataset

PREFIX = "/api/v2/channels"


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.base_url + PREFIX, headers={"X-Api-Key": SANDBOX_API_KEY}) as client:
        yield client


def body(response: httpx.Response) -> dict:
    assert response.status_code == 200  # the backend answers every handled request with HTTP 200
    return response.json()


def test_success_envelope_and_request_id_echo(http):
    answer = http.get("/accounts", headers={"X-Request-Id": "rid-1"})
    payload = body(answer)
    assert payload["code"] == 0 and payload["requestId"] == "rid-1" and answer.headers["x-request-id"] == "rid-1"
    assert payload["data"]["total"] == len(payload["data"]["list"]) == 30


def test_wrong_key_is_code_401_on_http_200(server):
    answer = httpx.get(server.base_url + PREFIX + "/accounts", headers={"X-Api-Key": "nope"})
    assert body(answer)["code"] == 401 and body(answer)["message"] == "Unauthorized"


def test_platforms_is_public_and_lists_paging(server):
    platforms = body(httpx.get(server.base_url + PREFIX + "/platforms"))["data"]
    kwai = next(p for p in platforms if p["platform"] == "KWAI")
    assert kwai["capabilities"]["work"]["listWorksPagination"]["maxLimit"] == 200


@pytest.mark.parametrize(
    ("platform", "account", "params", "code"),
    [
        ("douyin", ("douyin", 0), {}, 15080),
        ("wxGzh", ("wxGzh", 0), {}, 15032),
        ("tiktok", ("tiktok", 0), {"pagination[limit]": "21"}, 15089),
        ("tiktok", ("tiktok", 0), {"pagination[page]": "1", "pagination[pageSize]": "5"}, 15088),
        ("tiktok", ("tiktok", 0), {"pagination[direction]": "previous", "pagination[cursor]": "x"}, 15091),
        ("tiktok", ("KWAI", 0), {}, 15040),
        ("tiktok", None, {}, 12600),
        ("tiktok", ("tiktok", 0), {"pagination": '{"limit":5}'}, 400),
    ],
)
def test_works_error_codes(http, sandbox, platform, account, params, code):
    account_id = sandbox.dataset.account_id(*account) if account else "tiktok_someone_else"
    payload = body(http.get(f"/works/{platform}", params={"accountId": account_id, **params}))
    assert payload["code"] == code and "timestamp" in payload


def test_flat_paging_parameters_are_ignored_like_the_real_server(http, sandbox):
    account_id = sandbox.dataset.account_id("twitter", 0)
    first = body(http.get("/works/twitter", params={"accountId": account_id}))["data"]
    flat = body(
        http.get(
            "/works/twitter",
            params={"accountId": account_id, "cursor": first["pagination"]["nextCursor"], "limit": "3"},
        )
    )["data"]
    assert flat == first  # page 1 with the default limit (10) again: a loop for a naive client
    assert len(first["items"]) == 10 and first["pagination"]["hasNext"] is True


def test_platform_quirks(http, sandbox):
    sandbox.dataset = SandboxDataset(accounts_per_platform=1, works_per_account=40)
    kwai = body(
        http.get("/works/KWAI", params={"accountId": sandbox.dataset.account_id("KWAI", 0), "pagination[limit]": "20"})
    )
    assert kwai["data"]["pagination"]["hasNext"] is True  # items >= limit, even on the last full page
    tiktok_id = sandbox.dataset.account_id("tiktok", 0)
    last = body(
        http.get(
            "/works/tiktok",
            params={
                "accountId": tiktok_id,
                "pagination[limit]": "20",
                "pagination[cursor]": first_cursor(http, tiktok_id),
            },
        )
    )
    assert last["data"]["pagination"]["hasNext"] is False and "nextCursor" in last["data"]["pagination"]


def first_cursor(http, account_id: str) -> str:
    page = body(http.get("/works/tiktok", params={"accountId": account_id, "pagination[limit]": "20"}))
    return page["data"]["pagination"]["nextCursor"]


def test_data_is_deterministic_and_profiles_differ():
    a, b = SandboxDataset(seed=7), SandboxDataset(seed=7)
    assert [a.work("tiktok", 0, i) for i in range(20)] == [b.work("tiktok", 0, i) for i in range(20)]
    full = SandboxDataset(metric_profile="everything")
    real = SandboxDataset(metric_profile="faithful")
    assert "metrics" not in real.work("youtube", 0, 0)
    assert set(real.work("KWAI", 0, 0)["metrics"]) <= {"viewCount", "likeCount", "commentCount"}
    assert set(full.work("youtube", 0, 0)["metrics"]) - {"viewCount", "likeCount", "commentCount"}
    with pytest.raises(ValueError, match="metric_profile"):
        SandboxDataset(metric_profile="nope")


def test_large_accounts_cost_no_memory():
    big = SandboxDataset(works_per_account=5_000_000)
    assert big.works_count("KWAI", 0) == 5_000_000
    assert big.work("KWAI", 0, 4_999_999)["platformWorkId"] == "kw0w0000000"  # the oldest: listed last
    assert big.work("KWAI", 0, 0)["platformWorkId"] == "kw0w4999999"
