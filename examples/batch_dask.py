"""A batch on a Dask cluster: the same ``batch.run``, with ``executor=`` a Dask client.

Each worker process makes its own Sogni client from its ``SOGNI_*`` environment (no
credential travels in a task); the items are split into partitions with a journal each, so a
worker lost mid-run is resumed elsewhere without paying twice. Here the cluster is a
``LocalCluster`` of two processes; on a real one, connect with ``Client("tcp://scheduler:8786")``
and put ``out_dir`` on storage the workers share.

Offline against an embedded FakeSupernet unless SOGNI_API_KEY is set (the fake's address goes
into the environment the workers inherit).
"""

from pathlib import Path

from _supernet import use_supernet
from distributed import Client, LocalCluster

from sogni import batch

OUT = Path("out/batch_dask")
ITEMS = [
    {"key": f"tile-{n}", "positive_prompt": f"Seamless tile pattern number {n}", "seed": n}
    for n in range(16)
]


def main() -> None:
    use_supernet()
    with (
        LocalCluster(
            processes=True,
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as dask_client,
    ):
        report = batch.run(
            None,  # each worker makes its own client
            ITEMS,
            out_dir=OUT,
            executor=dask_client,
            partitions=4,
            max_in_flight=4,
            defaults={"model_id": "flux1-schnell-fp8", "steps": 4},
        )
    print(
        f"{report.completed} of {report.total} done across {len(report.journals)} partitions, "
        f"spent {report.spent} {report.token_type}"
    )


if __name__ == "__main__":
    main()
