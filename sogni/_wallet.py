"""The account wallet behind username/password sign-in.

The Supernet never sees the password: the client derives a secp256k1 key from username and
password, proves it holds the key by signing an EIP-712 ``Authentication`` message over a server
nonce, and forgets the key. Signing needs the ``wallet`` extra (eth-account), imported only here
and only when a wallet is used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

__all__ = ["Wallet", "eip712_domain"]

_SALT = b"sogni-salt-value"
_ITERATIONS = 10_000
_VERIFYING_CONTRACT = "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"

AUTHENTICATION_TYPES: dict[str, list[dict[str, str]]] = {
    "Authentication": [
        {"name": "walletAddress", "type": "address"},
        {"name": "nonce", "type": "string"},
    ]
}


def _eth_account() -> Any:
    try:
        import eth_account
    except ImportError as exc:
        raise ImportError(
            "Username/password sign-in needs the 'wallet' extra: pip install 'sogni[wallet]'"
        ) from exc
    return eth_account


def eip712_domain(*, testnet: bool = False) -> dict[str, Any]:
    """The signing domain: Base mainnet, or Base Sepolia with ``testnet``."""
    return {
        "name": "Sogni-testnet" if testnet else "Sogni AI",
        "version": "1",
        "chainId": 84532 if testnet else 8453,
        "verifyingContract": _VERIFYING_CONTRACT,
    }


class Wallet:
    """The key derived from a username and password. Use it in a ``with`` block: the key is
    overwritten on exit (best effort: Python cannot promise that no copy survives)."""

    __slots__ = ("_address", "_key")

    def __init__(self, username: str, password: str) -> None:
        eth_account = _eth_account()  # fail before the slow derivation
        # Only the username is lower-cased (the official clients do the same).
        self._key = bytearray(
            hashlib.pbkdf2_hmac(
                "sha256", (username.lower() + password).encode("utf-8"), _SALT, _ITERATIONS, 32
            )
        )
        self._address: str = eth_account.Account.from_key(bytes(self._key)).address

    @property
    def address(self) -> str:
        """The EIP-55 checksummed wallet address (public)."""
        return self._address

    def sign_typed_data(
        self,
        domain: Mapping[str, Any],
        types: Mapping[str, Any],
        message: Mapping[str, Any],
    ) -> str:
        """An EIP-712 signature: ``0x`` + 65 bytes hex, ``v`` = 27/28."""
        if not self._key:
            raise RuntimeError("this wallet was closed")
        eth_account = _eth_account()
        from eth_account.messages import encode_typed_data

        signable = encode_typed_data(
            domain_data=dict(domain),
            message_types={k: v for k, v in types.items() if k != "EIP712Domain"},
            message_data=dict(message),
        )
        signed = eth_account.Account.sign_message(signable, private_key=bytes(self._key))
        value: str = signed.signature.hex()
        return value if value.startswith("0x") else "0x" + value

    def sign_authentication(self, nonce: str, *, testnet: bool = False) -> str:
        """The login proof: ``Authentication{walletAddress, nonce}``."""
        return self.sign_typed_data(
            eip712_domain(testnet=testnet),
            AUTHENTICATION_TYPES,
            {"walletAddress": self._address, "nonce": nonce},
        )

    def close(self) -> None:
        for i in range(len(self._key)):
            self._key[i] = 0
        self._key = bytearray()

    def __enter__(self) -> Wallet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Wallet(address={self._address!r})"

    def __reduce__(self) -> Any:
        raise TypeError("Wallet objects cannot be pickled")
