"""Quickstart: sign in, look at the account and the models, make an image.

Runs against the real Supernet when SOGNI_API_KEY is set, otherwise against an embedded
FakeSupernet (no network needed). The image lands in ./out/.
"""

from sogni.testing import open_client


def main() -> None:
    with open_client("sogni-quickstart") as sogni:
        me = sogni.account.me()
        print(f"Signed in as {me.username} ({me.wallet_address})")
        balance = sogni.account.refresh_balance()
        print(f"Spark: {balance.spark.net}   SOGNI: {balance.sogni.net}")
        models = sogni.projects.wait_for_models()
        print(f"{len(models)} models available now, for example:")
        for model in sorted(models, key=lambda m: -m.worker_count)[:5]:
            print(f"  {model.id:<40} {model.media:<6} workers={model.worker_count}")

        project = sogni.projects.create(
            type="image",
            model_id="flux1-schnell-fp8",
            positive_prompt="A cat wearing a hat, studio photo",
            steps=4,
            guidance=1,
        )
        project.on("progress", lambda percent: print(f"  progress {percent}%"))
        project.wait(timeout=300)
        for path in project.download("out"):
            print(f"Saved {path}")


if __name__ == "__main__":
    main()
