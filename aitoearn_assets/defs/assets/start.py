"""The first step of every asset that calls the API: check the mode, then claim the warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from aitoearn_assets.api.errors import AuthError
from aitoearn_assets.defs.resources.aitoearn import SANDBOX_NOTICE, AiToEarnResource
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.warehouse.schema import WarehouseModeError, ensure_schema


def start_api_asset(
    context: dg.AssetExecutionContext, aitoearn: AiToEarnResource, warehouse: WarehouseResource
) -> None:
    """Fail (not retried) before any request when no mode is set or the file holds the other mode's
    data; create missing tables; say so in sandbox mode."""
    aitoearn.check()
    if aitoearn.is_sandbox:
        context.log.warning(SANDBOX_NOTICE)
    try:
        with warehouse.get_connection() as con:
            ensure_schema(con, aitoearn.mode)
    except WarehouseModeError as err:
        raise dg.Failure(description=str(err), allow_retries=False) from err


@contextmanager
def key_refusal_is_final() -> Iterator[None]:
    """Turn a 401 into a `dg.Failure` that Dagster does not retry (no retry fixes a refused key)."""
    try:
        yield
    except AuthError as err:
        raise dg.Failure(description=str(err), allow_retries=False) from err
