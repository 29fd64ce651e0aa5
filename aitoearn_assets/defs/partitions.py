"""One partition per platform, keyed exactly as the API spells it."""

import dagster as dg

from aitoearn_assets.api.platforms import PLATFORMS

platform_partitions = dg.StaticPartitionsDefinition(list(PLATFORMS))
