"""Secrets derived from the server key: index ids, e-mailed codes, tokens, passwords.

Nothing secret enters the log: e-mail and login indexes are keyed hashes
(HMAC-SHA256 with ``LKK_SECRET_KEY``), codes are derived from a random nonce
recorded in the event and verified by a keyed hash, session tokens are
stored as SHA-256 of 256 random bits, and passwords as Argon2id hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass
from uuid import UUID

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

CODE_DIGITS = 5  # DOMAIN.md ACC-03: five input boxes
_SYMBOLS = "#$%&*+-=?@^_~"  # no quotes or slashes: the password is read from an e-mail


def _uuid8(digest: bytes) -> UUID:
    raw = bytearray(digest[:16])
    raw[6] = (raw[6] & 0x0F) | 0x80  # version 8 (custom)
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    return UUID(bytes=bytes(raw))


@dataclass(frozen=True)
class ServerSecret:
    """Keyed hashes under ``LKK_SECRET_KEY``: nobody without it can recompute them."""

    key: bytes

    def _mac(self, *parts: str) -> bytes:
        return hmac.new(self.key, "\0".join(parts).encode(), hashlib.sha256).digest()

    def mark(self, purpose: str, *parts: str) -> bytes:
        """Return the keyed hash of ``parts`` for ``purpose``: what proves a value came from this server."""
        return self._mac(purpose, *parts)

    def index_id(self, purpose: str, normalised: str) -> UUID:
        """Return the id of the index aggregate for an e-mail or login."""
        return _uuid8(self._mac(purpose, normalised))

    def code(self, account_id: UUID, purpose: str, nonce: str) -> str:
        """Derive the 5-digit code e-mailed for this nonce (never stored)."""
        number = int.from_bytes(self._mac("code", account_id.hex, purpose, nonce)[:8], "big")
        return str(number % 10**CODE_DIGITS).zfill(CODE_DIGITS)

    def code_hash(self, account_id: UUID, purpose: str, nonce: str, code: str) -> str:
        """Return the keyed hash a typed code is compared against."""
        return self._mac("code-hash", account_id.hex, purpose, nonce, code.strip()).hex()

    def link_token(self, binding_id: UUID, nonce: str) -> str:
        """Derive the 192-bit token of a binding confirmation link (CON-04; never stored)."""
        return base64.urlsafe_b64encode(self._mac("binding-link", binding_id.hex, nonce)[:24]).decode()

    def initial_password(self, account_id: UUID, nonce: str) -> str:
        """Derive the password e-mailed to an invited grantee (ROL-16); it meets ACC-09."""
        mac = self._mac("initial-password", account_id.hex, nonce)
        classes = (string.ascii_uppercase, string.ascii_lowercase, string.digits, _SYMBOLS)
        chars = [alphabet[mac[i] % len(alphabet)] for i, alphabet in enumerate(classes)]
        pool = string.ascii_letters + string.digits + _SYMBOLS
        chars += [pool[b % len(pool)] for b in mac[4:16]]
        order = sorted(range(len(chars)), key=lambda i: (mac[16 + i % 16], i))
        return "".join(chars[i] for i in order)

    def fingerprint(self, basis: str, device_id: str | None) -> str:
        """Return the keyed hash that recognises a known device and browser (ACC-08)."""
        return self._mac("device", basis, device_id or "").hex()[:32]


def new_nonce() -> str:
    """Return a fresh random nonce for a code."""
    return secrets.token_hex(16)


def new_token_secret() -> str:
    """Return 256 random bits for a session token, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(secret: str) -> str:
    """Return the stored form of a token secret (SHA-256: the secret is random, not guessable)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_hash(left: str, right: str) -> bool:
    """Compare two hashes in constant time."""
    return hmac.compare_digest(left.encode(), right.encode())


class Passwords:
    """Argon2id hashing; the parameters are chosen once per deployment."""

    # RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes): the
    # argon2-cffi default profile.
    PRODUCTION = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
    # Cheap but still Argon2id: for tests, which hash hundreds of passwords.
    FAST = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}

    def __init__(self, *, time_cost: int, memory_cost: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID
        )
        # A hash to verify against when the account is unknown, so that a failed
        # login takes as long whether or not the e-mail exists (ACC-07).
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        """Return the Argon2id hash of a password."""
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Tell whether a password matches; a missing hash still costs one verification."""
        try:
            return self._hasher.verify(stored_hash or self._decoy, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False
