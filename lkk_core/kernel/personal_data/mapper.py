"""A ``Mapper`` that seals personal fields under their person's key.

Stored state stays plain JSON for auditors; personal fields move into a
``_pii`` list of ``[subject hex, [field names], base64(nonce | ciphertext)]``.
The associated data binds each ciphertext to its subject, event and fields,
so a ciphertext copied into another event does not decrypt.

An event class may hold typed values (frozen dataclasses) and still store
plain JSON: its static ``to_stored_state(state)`` turns a copy of its state
into what is stored, and ``from_stored_state(state)`` turns the stored state
back, after the upcasters (both in place, like an upcaster).
"""

from __future__ import annotations

import base64
import os
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    find_id_convertor,
)
from eventsourcing.utils import get_topic, resolve_topic

from lkk_core.kernel.personal_data.keystore import KeyStore
from lkk_core.kernel.personal_data.markers import REDACTED, pii_fields


def _associated_data(subject: UUID, oid: UUID, version: int, topic: str, fields: list[str]) -> bytes:
    return b"|".join([subject.bytes, oid.bytes, b"%d" % version, topic.encode(), ",".join(fields).encode()])


class ShreddingMapper(Mapper[UUID]):
    """Encode events with personal fields sealed; decode with placeholders when a key is gone."""

    keys: KeyStore  # attached by LkkApplication.construct_mapper

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        """Turn a domain event into a stored record, sealing its personal fields."""
        topic, state = get_topic(type(domain_event)), dict(vars(domain_event))
        oid, version = state.pop("originator_id"), state.pop("originator_version")
        to_stored = getattr(type(domain_event), "to_stored_state", None)
        if to_stored is not None:
            to_stored(state)
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        groups: dict[UUID, dict[str, Any]] = {}
        for field, subject_field in pii_fields(type(domain_event)).items():
            value = state.pop(field)
            if value is None:
                state[field] = None  # "absent" is not personal data
                continue
            subject = oid if subject_field == "originator_id" else state[subject_field]
            groups.setdefault(subject, {})[field] = value
        if groups:
            state["_pii"] = [self._seal(s, vals, oid, version, topic) for s, vals in groups.items()]
        return StoredEvent(
            originator_id=oid,
            originator_version=version,
            topic=topic,
            state=self.transcoder.encode(state),
        )

    def _seal(self, subject: UUID, values: dict[str, Any], oid: UUID, version: int, topic: str) -> list[Any]:
        nonce, fields = os.urandom(12), sorted(values)
        sealed = self.keys.for_write(subject).encrypt(
            nonce, self.transcoder.encode(values), _associated_data(subject, oid, version, topic, fields)
        )
        return [subject.hex, fields, base64.b64encode(nonce + sealed).decode()]

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        """Rebuild a domain event; personal fields of a shredded person read as REDACTED."""
        cls, oid = resolve_topic(stored_event.topic), stored_event.originator_id
        try:
            state = self.transcoder.decode(stored_event.state)
            for subject_hex, fields, blob in state.pop("_pii", ()):
                subject, raw = UUID(subject_hex), base64.b64decode(blob)
                aead = self.keys.for_read(subject)
                if aead is None:
                    state.update(dict.fromkeys(fields, REDACTED))
                    continue
                ad = _associated_data(subject, UUID(str(oid)), stored_event.originator_version, stored_event.topic, fields)
                state.update(self.transcoder.decode(aead.decrypt(raw[:12], raw[12:], ad)))
        except Exception as ex:
            msg = f"{stored_event.topic} {oid} v{stored_event.originator_version}"
            raise MapperDeserialisationError(msg) from ex
        if getattr(cls, "forgets_subject", False):
            self.keys.forget(UUID(str(oid)))
        state["originator_id"] = find_id_convertor(cls, type(oid))(oid)
        state["originator_version"] = stored_event.originator_version
        for i in range(state.pop("class_version", 1), getattr(cls, "class_version", 1)):
            getattr(cls, f"upcast_v{i}_v{i + 1}")(state)  # upcasters see plaintext
        from_stored = getattr(cls, "from_stored_state", None)
        if from_stored is not None:
            from_stored(state)
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return event
