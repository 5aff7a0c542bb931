"""A batch from a CSV file: priced first, capped, resumable, with a contact sheet.

Each row of the CSV is one image; its columns are ``projects.create`` parameters (cells are
read by each parameter's type). The journal in ``out/batch_csv`` makes a second run resume:
what is done is skipped, and nothing is paid for twice.

Offline against an embedded FakeSupernet unless SOGNI_API_KEY is set.
"""

from pathlib import Path

from sogni import batch
from sogni.testing import open_client

OUT = Path("out/batch_csv")
ROWS = [
    "key,positive_prompt,steps,seed,number_of_media",
    "fox,A watercolor fox in a snowy forest,4,1,1",
    "owl,An owl reading in a library at night,4,2,2",
    "whale,A paper whale over a harbour at dawn,4,3,1",
    "cat,A cat astronaut on a tiny planet,4,4,1",
    "lighthouse,A lighthouse in a storm,4,5,1",
]


def show(progress: batch.BatchProgress) -> None:
    print(f"  {progress.completed}/{progress.total} done, spent {progress.spent}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    items = OUT / "prompts.csv"
    items.write_text("\n".join(ROWS) + "\n")
    defaults = {"model_id": "flux1-schnell-fp8"}  # for rows without a model_id column
    with open_client("sogni-batch-csv") as client:
        quote = batch.estimate(client, items, defaults=defaults)
        print(f"{quote.items} items would cost {quote.total} {quote.token_type}")
        report = batch.run(
            client,
            items,
            out_dir=OUT,
            max_in_flight=4,
            spend_cap=quote.total,  # never more than the quote
            defaults=defaults,
            progress=show,
        )
    print(
        f"{report.completed} of {report.total} done ({report.completed_this_run} this run), "
        f"spent {report.spent} {report.token_type}"
    )
    for result in report.results():
        print(f"  {result.key}: {[str(f.path) for f in result.files]}")
    print(f"Contact sheet: {batch.write_html(report)}")


if __name__ == "__main__":
    main()
