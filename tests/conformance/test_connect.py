"""Each official client connects to a fresh FakeSupernet with an API key and reads the account,
the balance and the models; the values it prints must be the fake's own data."""

from __future__ import annotations

from sogni.testing import FakeSupernet

from .harness import StartScenario

CLIENT_VERSIONS = {"js": "5.54.0", "py": "5.70.0"}


def test_connect_reads_account_balance_and_models(
    fake: FakeSupernet, start_scenario: StartScenario, language: str
) -> None:
    with start_scenario(language, "connect") as scenario:
        result = scenario.result()

    account = fake.account
    assert result["me"] == {
        "username": account.username,
        "walletAddress": account.wallet_address,
        "email": account.email,
    }
    assert result["currentAccount"] == {
        "username": account.username,
        "walletAddress": account.wallet_address,
    }
    # Balances travel as decimal strings and the clients hand them over untouched.
    assert result["balance"] == account.balances_wire(rest=True)
    assert result["balance"]["spark"]["net"] == "400"

    catalog = fake.catalog["models"]
    assert result["supportedModels"] == [model["id"] for model in catalog]
    available = {model["id"]: model for model in result["availableModels"]}
    # The clients connect to the fast network: its list, not the relaxed one (which lacks the
    # vendor, video and audio models), and with the CoreML model the official examples use.
    served = [model for model in catalog if model["id"] in fake._swarm_models("fast")]
    assert set(available) == {model["id"] for model in served}
    assert set(available) != set(fake._swarm_models("relaxed"))
    assert "coreml-cyberrealistic_v70_768" in available
    for model in served:
        assert available[model["id"]]["name"] == model["name"]
        assert available[model["id"]]["media"] == model["media"]
        assert available[model["id"]]["workerCount"] == 3

    upgrades = [r for r in fake.received if r.kind == "ws_connect"]
    assert len(upgrades) == 1
    upgrade = upgrades[0]
    assert upgrade.query["appId"] == scenario.app_id
    assert upgrade.query["clientType"] == "artist"
    assert upgrade.query["clientName"] == (
        f"Sogni/3.0.0 (sogni-client) {CLIENT_VERSIONS[language]}"
    )
    assert _header(upgrade.headers, "api-key") == fake.api_key

    rest_calls = fake.requests()
    assert {"/v1/account/me", "/v4/account/balance", "/api/v1/models/list"} <= {
        r.path for r in rest_calls
    }
    for call in rest_calls:
        assert _header(call.headers, "api-key") == fake.api_key, call.path
        assert call.status == 200, call.path

    # The client said goodbye with a normal close, not a dropped connection.
    closes = [r for r in fake.received if r.kind == "ws_closed"]
    assert [c.close_code for c in closes] == [1000]


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None
