"""Quickstart: sign in, look at the account, list the models.

Runs against the real Supernet when SOGNI_API_KEY is set, otherwise against an embedded
FakeSupernet (no network needed).
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


if __name__ == "__main__":
    main()
