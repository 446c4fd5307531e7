"""The input schemas of the Replicate models the catalog uses, by
``owner/name``: each model's snapshot in docs/schemas/replicate (see
tests/servers/snapshots.py). The local Replicate server validates every
request against them and refuses what Replicate refuses; it also refuses
input names the schema lacks, so a misnamed field fails a test instead of
being silently ignored as Replicate does."""

from tests.servers import snapshots

INPUTS = {snap["ref"].split(":")[0]: snap["input"]
          for snap in snapshots.all_snapshots("replicate").values()}
