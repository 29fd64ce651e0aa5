"""The API client against the sandbox over real HTTP: paging, envelope, retries, refusals."""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from aitoearn_assets.api.client import AiToEarnClient
from aitoearn_assets.api.errors import (
    ApiError,
    AuthError,
    IncompleteListingError,
    RedirectRefusedError,
    RetriesExhaustedError,
)
from aitoearn_assets.api.platforms import FALLBACK_WORKS_PAGING
from aitoearn_assets.sandbox import SANDBOX_API_KEY, SandboxApi, SandboxDataset, SandboxTransport
from aitoearn_assets_tests.conftest import FAST_RETRY


def works_requests(sandbox: SandboxApi) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(t).query) for t in sandbox.seen if "/works/" in t]


def all_work_ids(client: AiToEarnClient, platform: str, account_id: str) -> list[str]:
    paging = client.works_paging()[platform]
    return [
        item["platformWorkId"]
        for page, _ in client.iter_works_pages(platform, account_id, paging)
        for item in page.items
    ]


def test_every_account_comes_from_one_unfiltered_listing(make_client, sandbox):
    client = make_client()
    listing = client.list_accounts()
    assert len(listing.accounts) == listing.total == 2 * 15
    kwai = [a.id for a in listing.accounts if a.platform == "KWAI"]
    assert kwai == [sandbox.dataset.account_id("KWAI", 0), sandbox.dataset.account_id("KWAI", 1)]
    assert sandbox.seen[-1] == "/api/v2/channels/accounts"  # no filter: a filtered listing is capped at 1,000


def test_a_capped_listing_fails_loudly_instead_of_leaving_accounts_out(make_client, sandbox):
    """The backend lists at most 1,000 accounts when a filter is given; `total` still counts them all."""
    sandbox.dataset = SandboxDataset(accounts_per_platform=3)
    sandbox.filtered_accounts_cap = 2
    capped = httpx.get(
        make_client().base_url + "/api/v2/channels/accounts", params={"types[]": "KWAI"},
        headers={"X-Api-Key": SANDBOX_API_KEY},
    ).json()["data"]  # fmt: skip
    assert (len(capped["list"]), capped["total"]) == (2, 3)  # what asking per platform met: an account left out
    assert len(make_client().list_accounts().accounts) == 45  # unfiltered: never capped
    sandbox.filtered_accounts_cap = 1000
    sandbox.dataset = SandboxDataset(
        accounts_per_platform=1, extra_accounts=tuple({"id": f"x{n}", "type": "KWAI"} for n in range(2))
    )
    original = sandbox.accounts
    sandbox.accounts = lambda query: {**original(query), "total": 99}  # a server that lists fewer than it counts
    with pytest.raises(IncompleteListingError, match="listed 17 accounts but counts 99"):
        make_client().list_accounts()


def test_works_are_paged_with_bracket_cursor_at_the_platform_maximum(make_client, sandbox):
    sandbox.dataset = SandboxDataset(accounts_per_platform=1, works_per_account=120)
    client = make_client()
    account_id = sandbox.dataset.account_id("youtube", 0)

    ids = all_work_ids(client, "youtube", account_id)

    assert len(ids) == len(set(ids)) == 120
    sent = works_requests(sandbox)
    assert len(sent) == 3  # 50 + 50 + 20 with youtube's maxLimit of 50
    assert all(q["pagination[limit]"] == ["50"] for q in sent)
    assert "pagination[cursor]" not in sent[0] and all("pagination[cursor]" in q for q in sent[1:])
    assert not any({"cursor", "limit", "page", "pageSize"} & q.keys() for q in sent)


def test_page_size_comes_from_the_platforms_endpoint(make_client, sandbox):
    paging = make_client().works_paging()
    assert paging["tiktok"].max_limit == 20 and paging["KWAI"].max_limit == 200
    assert not paging["douyin"].can_list
    assert any("/platforms" in t for t in sandbox.seen)


def test_unreadable_platforms_endpoint_falls_back_to_the_reference_table(make_client, sandbox, caplog):
    sandbox.faults.add("http_503", times=None, path_contains="/platforms")
    with caplog.at_level(logging.WARNING):
        paging = make_client().works_paging()
    assert paging == FALLBACK_WORKS_PAGING
    assert "built-in paging table" in caplog.text


def test_a_wrong_key_fails_at_once_naming_the_setting_not_the_key(make_client, sandbox):
    wrong_key = "sk-wrong-secret-123"
    client = make_client(api_key=wrong_key)
    with pytest.raises(AuthError) as raised:
        client.list_accounts()
    text = str(raised.value)
    assert "AITOEARN_API_KEY" in text and "401" in text
    assert wrong_key not in text
    assert client.stats.requests == 1 and client.stats.retries == 0


@pytest.mark.parametrize(
    "fault",
    ["envelope_429", "http_502", "http_503", "retryable_15071", "drop_connection", "slow", "server_error"],
)
def test_transient_faults_are_retried_and_the_data_is_complete(make_client, sandbox, fault):
    account_id = sandbox.dataset.account_id("tiktok", 0)
    sandbox.faults.add(fault, times=2, delay_seconds=0.8)  # slow: past the 0.5 s timeout
    client = make_client(timeout_seconds=0.5)

    ids = all_work_ids(client, "tiktok", account_id)

    assert ids == [sandbox.dataset.work("tiktok", 0, i)["platformWorkId"] for i in range(30)]
    assert client.stats.retries == 2


def test_retries_are_bounded_and_the_error_says_what_failed_and_how_often(make_client, sandbox):
    sandbox.faults.add("http_502", times=None)
    client = make_client()
    with pytest.raises(RetriesExhaustedError) as raised:
        all_work_ids(client, "tiktok", sandbox.dataset.account_id("tiktok", 0))
    message = str(raised.value)
    assert "/api/v2/channels/works/tiktok" in message and "failed 4 times" in message and "502" in message


@pytest.mark.parametrize("fault", ["not_json", "missing_data", "missing_pagination"])
def test_unreadable_answers_name_the_endpoint_and_request_id(make_client, sandbox, fault):
    sandbox.faults.add(fault, times=None)
    with pytest.raises(RetriesExhaustedError) as raised:
        all_work_ids(make_client(), "tiktok", sandbox.dataset.account_id("tiktok", 0))
    message = str(raised.value)
    assert "/api/v2/channels/works/tiktok" in message and "requestId " in message
    assert "requestId none" not in message


def test_non_retryable_codes_are_not_retried(make_client, sandbox):
    client = make_client()
    with pytest.raises(ApiError) as raised:
        all_work_ids(client, "tiktok", "tiktok_not_mine")
    assert raised.value.code == 12600 and client.stats.retries == 0


def test_redirects_are_refused_so_the_key_stays_on_the_host(make_client, sandbox):
    sandbox.faults.add("redirect", times=None, path_contains="/accounts")
    with pytest.raises(RedirectRefusedError, match=r"elsewhere\.example"):
        make_client().list_accounts()
    assert sandbox.requests == 1


@pytest.mark.parametrize(
    ("flag", "expected_warning"),
    [("repeat_cursor", "repeated cursor"), ("empty_last_page", "empty but claimed more")],
)
def test_a_server_that_pages_forever_is_stopped_with_a_warning(make_client, sandbox, flag, expected_warning):
    sandbox.dataset = SandboxDataset(accounts_per_platform=1, works_per_account=45, **{flag: True})
    client = make_client()
    paging = client.works_paging()["twitter"]
    pages = list(client.iter_works_pages("twitter", sandbox.dataset.account_id("twitter", 0), paging))
    assert len(pages) <= 3
    assert expected_warning in pages[-1][1].stop_warning


def test_in_process_transport_serves_the_same_answers_as_the_server(make_client, sandbox):
    account_id = sandbox.dataset.account_id("KWAI", 1)
    over_http = all_work_ids(make_client(), "KWAI", account_id)
    with AiToEarnClient(sandbox.api_key, "http://127.0.0.1", transport=SandboxTransport(sandbox)) as local:
        assert all_work_ids(local, "KWAI", account_id) == over_http


@pytest.mark.parametrize(
    "url",
    ["ftp://aitoearn.cn", "http://aitoearn.cn", "http://10.0.0.5:8080", "aitoearn.cn", "https://user:pw@aitoearn.cn"],
)
def test_unsafe_base_urls_are_refused_with_the_fix(url):
    with pytest.raises(ValueError, match="AITOEARN_BASE_URL"):
        AiToEarnClient("sk-x", url)


def test_rate_limit_spaces_requests(make_client):
    client = make_client(max_requests_per_second=20)
    for _ in range(5):
        client.list_accounts()
    assert client.stats.wait_seconds >= 0.15  # 4 gaps of 50 ms, measured by the limiter itself


class _ForwardingProxy(BaseHTTPRequestHandler):
    """An HTTP proxy that forwards every GET to the sandbox server and notes what it forwarded."""

    target = ""
    forwarded: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        url = urlsplit(self.path)  # a proxy is sent the absolute URL
        self.forwarded.append(url.path)
        answer = httpx.get(
            f"{self.target}{url.path}?{url.query}", headers={"X-Api-Key": self.headers["X-Api-Key"]}, trust_env=False
        )
        self.send_response(answer.status_code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    def log_message(self, *args: object) -> None:
        pass


def test_a_proxy_from_the_environment_carries_the_requests(server, monkeypatch):
    _ForwardingProxy.target, _ForwardingProxy.forwarded = server.base_url, []
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _ForwardingProxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        # nothing listens on port 9 here: only the proxy can answer
        with AiToEarnClient(SANDBOX_API_KEY, "http://localhost:9", retry=FAST_RETRY, timeout_seconds=2.0) as client:
            assert len(client.list_accounts().accounts) == 30
        assert _ForwardingProxy.forwarded == ["/api/v2/channels/accounts"]
    finally:
        proxy.shutdown()
