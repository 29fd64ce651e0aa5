"""The `accounts` asset: every account of the key from one listing; removed ones kept and marked; a shrunken
listing held."""

from __future__ import annotations

import dagster as dg

from aitoearn_assets.defs.assets.accounts import accounts
from aitoearn_assets.sandbox import SandboxDataset

from .helpers import resources, table


def listing(aitoearn, db_path, **config) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [accounts], resources=resources(aitoearn, db_path), raise_on_error=False,
        run_config={"ops": {"accounts": {"config": config}}},
    )  # fmt: skip


def test_every_account_lands_with_its_counters(aitoearn, db_path, sandbox):
    offline = sandbox.dataset.account_id("youtube", 1)
    zero = {"id": "KWAI_newcomer", "type": "KWAI", "status": 1, "fansCount": 0, "nickname": "new"}
    sandbox.dataset = SandboxDataset(
        accounts_per_platform=4, offline_accounts=frozenset({offline}), extra_accounts=(zero,)
    )

    result = listing(aitoearn, db_path)

    assert result.success
    assert table(db_path, "SELECT count(*), count(DISTINCT platform) FROM accounts") == [(61, 15)]
    got = dict(table(db_path, "SELECT account_id, fans_count FROM accounts WHERE platform = 'KWAI'"))
    ids = [sandbox.dataset.account_id("KWAI", j) for j in range(4)]
    assert got["KWAI_newcomer"] == 0 and got[ids[3]] is None and got[ids[0]] > 0  # reported 0 vs never fetched
    assert table(db_path, f"SELECT status FROM accounts WHERE account_id = '{offline}'") == [(0,)]
    (event,) = result.asset_materializations_for_node("accounts")
    assert event.metadata["dagster/row_count"].value == 61 and event.metadata["offline_accounts"].value == 1
    assert sandbox.seen.count("/api/v2/channels/accounts") == 1  # one unfiltered listing


def test_an_account_the_key_no_longer_lists_is_marked_removed_and_kept(aitoearn, db_path, sandbox):
    gone = sandbox.dataset.account_id("tiktok", 1)
    assert listing(aitoearn, db_path).success
    sandbox.dataset = SandboxDataset(accounts_per_platform=2, removed_accounts=frozenset({gone}))

    result = listing(aitoearn, db_path)

    assert result.success
    (event,) = result.asset_materializations_for_node("accounts")
    assert event.metadata["removed_accounts"].value == [gone]
    assert table(db_path, "SELECT count(*), count(removed_at) FROM accounts") == [(30, 1)]
    assert table(db_path, f"SELECT nickname IS NOT NULL, removed_at IS NOT NULL FROM accounts WHERE account_id = '{gone}'") == [
        (True, True)
    ]  # fmt: skip
    sandbox.dataset = SandboxDataset(accounts_per_platform=2)  # listed again
    assert listing(aitoearn, db_path).success
    assert table(db_path, "SELECT count(removed_at) FROM accounts") == [(0,)]


def test_an_empty_or_halved_account_listing_is_held_unless_allowed(aitoearn, db_path, sandbox):
    sandbox.dataset = SandboxDataset(accounts_per_platform=3)
    assert listing(aitoearn, db_path).success
    before = table(db_path, "SELECT * FROM accounts ORDER BY ALL")
    sandbox.dataset = SandboxDataset(accounts_per_platform=0)  # a listing glitch: nobody

    result = listing(aitoearn, db_path)

    assert result.success and table(db_path, "SELECT * FROM accounts ORDER BY ALL") == before
    (check,) = result.get_asset_check_evaluations()
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert "returned 0 accounts where 45 are stored" in check.description

    sandbox.dataset = SandboxDataset(accounts_per_platform=1)  # a third of them
    assert listing(aitoearn, db_path).success
    assert table(db_path, "SELECT count(removed_at) FROM accounts") == [(0,)]  # 15 < 45 / 2: held too
    assert listing(aitoearn, db_path, allow_shrink=True).success
    assert table(db_path, "SELECT count(removed_at) FROM accounts") == [(30,)]


def test_a_capped_listing_fails_the_run_loudly_and_changes_nothing(aitoearn, db_path, sandbox):
    assert listing(aitoearn, db_path).success
    before = table(db_path, "SELECT * FROM accounts ORDER BY ALL")
    original = sandbox.accounts
    sandbox.accounts = lambda query: {**original(query), "total": 31}

    result = listing(aitoearn, db_path)

    assert not result.success
    error = str(result.get_step_failure_events()[-1].event_specific_data.error)
    assert "listed 30 accounts but counts 31" in error
    assert not any(e.event_type_value == "STEP_UP_FOR_RETRY" for e in result.all_events)  # no retry fixes it
    assert table(db_path, "SELECT * FROM accounts ORDER BY ALL") == before
