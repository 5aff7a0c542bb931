"""A batch from a pandas DataFrame: one product shot per row, different sizes per row.

Missing cells (NaN) leave a parameter at its default; numbers keep their types. The results
and each item's cost come back through the report and its journal.

Offline against an embedded FakeSupernet unless SOGNI_API_KEY is set.
"""

from pathlib import Path

import pandas as pd

from sogni import batch
from sogni.testing import open_client

OUT = Path("out/batch_dataframe")


def main() -> None:
    products = pd.DataFrame(
        {
            "key": ["mug", "lamp", "chair", "vase"],
            "positive_prompt": [
                f"Studio product photo of a {name}, soft light, white background"
                for name in ("ceramic mug", "brass desk lamp", "oak chair", "glass vase")
            ],
            "width": [1024, 768, None, 1024],
            "height": [1024, 1024, None, 768],
            "seed": [11, 12, 13, 14],
        }
    )
    with open_client("sogni-batch-dataframe") as client:
        report = batch.run(
            client,
            products,
            out_dir=OUT,
            max_in_flight=2,
            defaults={"model_id": "flux1-schnell-fp8", "steps": 4},
        )
    costs = {r.key: r.cost_actual for r in report.results()}
    products["cost"] = products["key"].map(costs)
    print(products[["key", "width", "height", "cost"]].to_string(index=False))
    print(f"{report.completed} of {report.total} done, spent {report.spent} {report.token_type}")


if __name__ == "__main__":
    main()
