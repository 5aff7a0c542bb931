"""Wallet derivation and EIP-712 signatures against the published vectors (protocol/01 §5.3),
and the token model's validation and secrecy."""

from __future__ import annotations

import base64
import json
import pickle
import sys

import pytest

from sogni import Tokens, ValidationError
from sogni._wallet import Wallet, eip712_domain

ALICE_KEY = "5386d123094753ca4d354fa2d2e57c67b1f0091847c88e25d101537dc2a1311f"
ALICE_ADDRESS = "0xeEa35541BCF52c4968a8Bc172735Cb4f65a4e08F"
AUTH_MAINNET = (
    "0x0bbd5cb676765775cda6296cf3b32a0353b79fb22a250f4dd335e38df2c028ee"
    "76b8d309e7e0d0aff827abe860da1560c12427747ef4ea184fcfdd6319997a171c"
)
AUTH_TESTNET = (
    "0x06b4c428a39dfedb4ab440fe5cb1bd382e5ee372c822efd3796362daa573fb24"
    "0e943881918715fc2d6c6d76240ccaf4a58fca9df4aa92c465c0484b1cb2d78f1b"
)
SIGNUP_MAINNET = (
    "0x5f26db3645292873fa4e50b4fbbf81bfba45eca8efb83aa1657bd718f7ff5d7c"
    "70b32e75fdd840f152933eb134fc61b4a1b209cf81ed239faf58c8f60c1064381c"
)
SIGNUP_TYPES = {
    "Signup": [
        {"name": "appid", "type": "string"},
        {"name": "username", "type": "string"},
        {"name": "email", "type": "string"},
        {"name": "subscribe", "type": "uint256"},
        {"name": "walletAddress", "type": "address"},
        {"name": "nonce", "type": "string"},
    ]
}


def test_alice_key_and_address() -> None:
    with Wallet("Alice", "pw") as wallet:
        assert bytes(wallet._key).hex() == ALICE_KEY
        assert wallet.address == ALICE_ADDRESS


def test_only_the_username_is_lower_cased() -> None:
    with Wallet("alice", "pw") as lower, Wallet("ALICE", "pw") as upper:
        assert lower.address == upper.address == ALICE_ADDRESS
    with Wallet("Alice", "PW") as other:
        assert other.address != ALICE_ADDRESS


def test_authentication_signature_mainnet() -> None:
    with Wallet("Alice", "pw") as wallet:
        assert wallet.sign_authentication("nonce-123") == AUTH_MAINNET


def test_authentication_signature_testnet() -> None:
    with Wallet("Alice", "pw") as wallet:
        assert wallet.sign_authentication("nonce-123", testnet=True) == AUTH_TESTNET


def test_signup_signature() -> None:
    with Wallet("Alice", "pw") as wallet:
        message = {
            "appid": "test-app-id",
            "username": "Alice",
            "email": "a@example.com",
            "subscribe": 1,
            "walletAddress": wallet.address,
            "nonce": "nonce-123",
        }
        assert wallet.sign_typed_data(eip712_domain(), SIGNUP_TYPES, message) == SIGNUP_MAINNET


def test_signature_format() -> None:
    with Wallet("Alice", "pw") as wallet:
        signature = wallet.sign_authentication("another nonce")
    assert signature.startswith("0x") and len(signature) == 2 + 130
    assert signature[-2:] in ("1b", "1c")


def test_closing_overwrites_the_key_and_stops_signing() -> None:
    wallet = Wallet("Alice", "pw")
    key = wallet._key
    wallet.close()
    assert not any(key)
    with pytest.raises(RuntimeError):
        wallet.sign_authentication("n")


def test_wallet_repr_and_pickle_hide_the_key() -> None:
    with Wallet("Alice", "pw") as wallet:
        assert ALICE_KEY not in repr(wallet) and ALICE_KEY not in str(wallet)
        assert ALICE_ADDRESS in repr(wallet)
        with pytest.raises(TypeError):
            pickle.dumps(wallet)


def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "eth_account", None)
    with pytest.raises(ImportError, match=r"sogni\[wallet\]"):
        Wallet("Alice", "pw")


def test_domains() -> None:
    assert eip712_domain() == {
        "name": "Sogni AI",
        "version": "1",
        "chainId": 8453,
        "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
    }
    assert eip712_domain(testnet=True)["name"] == "Sogni-testnet"
    assert eip712_domain(testnet=True)["chainId"] == 84532


# --------------------------------------------------------------------------- Tokens


def _jwt(claims: dict[str, object]) -> str:
    def part(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part(claims)}.c2lnbmF0dXJl"


ACCESS = _jwt({"addr": ALICE_ADDRESS, "env": "production", "iat": 1, "exp": 2_000_000_000})
REFRESH = _jwt({"type": "refresh", "env": "production", "iat": 1, "exp": 2_100_000_000})


def test_tokens_round_trip_and_claims() -> None:
    tokens = Tokens.from_dict({"token": ACCESS, "refreshToken": REFRESH})
    assert tokens.as_dict() == {"token": ACCESS, "refreshToken": REFRESH}
    assert tokens.access_expires_at == 2_000_000_000
    assert tokens.refresh_expires_at == 2_100_000_000
    assert Tokens(ACCESS, REFRESH) == tokens


def test_tokens_hide_their_values() -> None:
    tokens = Tokens(ACCESS, REFRESH)
    for text in (repr(tokens), str(tokens), repr(tokens.access_token), str(tokens.refresh_token)):
        assert ACCESS not in text and REFRESH not in text
    with pytest.raises(TypeError):
        pickle.dumps(tokens)


def test_tokens_validation_lists_every_problem_without_values() -> None:
    with pytest.raises(ValidationError) as info:
        Tokens.from_dict({"token": "", "refresh": REFRESH})
    assert info.value.params == ["tokens['token']", "tokens['refreshToken']"]
    with pytest.raises(ValidationError) as info:
        Tokens("not-a-jwt-secret-value", "also.not.valid")
    assert info.value.params == ["access_token", "refresh_token"]
    assert "not-a-jwt-secret-value" not in str(info.value)
    assert "also.not.valid" not in repr(info.value)
