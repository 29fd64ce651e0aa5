"""The `accounts` asset: every account of the key, counters NULL when never fetched."""

from __future__ import annotations

import dagster as dg

from aitoearn_assets.defs.assets.accounts import accounts
from aitoearn_assets.sandbox import SandboxDataset

from .helpers import resources, table


def test_every_account_lands_with_its_counters(aitoearn, db_path, sandbox):
    offline = sandbox.dataset.account_id("youtube", 1)
    sandbox.dataset = SandboxDataset(accounts_per_platform=4, offline_accounts=frozenset({offline}))

    result = dg.materialize([accounts], resources=resources(aitoearn, db_path))

    assert result.success
    assert table(db_path, "SELECT count(*), count(DISTINCT platform) FROM accounts") == [(60, 15)]
    got = dict(table(db_path, "SELECT account_id, fans_count FROM accounts WHERE platform = 'KWAI'"))
    ids = [sandbox.dataset.account_id("KWAI", j) for j in range(4)]
    assert got[ids[2]] == 0 and got[ids[3]] is None and got[ids[0]] > 0  # reported 0 vs never fetched
    assert table(db_path, f"SELECT status FROM accounts WHERE account_id = '{offline}'") == [(0,)]
    (event,) = result.asset_materializations_for_node("accounts")
    assert event.metadata["dagster/row_count"].value == 60 and event.metadata["offline_accounts"].value == 1


def test_a_rerun_replaces_the_listing(aitoearn, db_path, sandbox):
    dg.materialize([accounts], resources=resources(aitoearn, db_path))
    sandbox.dataset = SandboxDataset(accounts_per_platform=1)
    dg.materialize([accounts], resources=resources(aitoearn, db_path))
    assert table(db_path, "SELECT count(*) FROM accounts") == [(15,)]
