"""A mailer that writes each message to ``<directory>/<message id>.eml``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from adapters.mail.message import build_message
from lkk_core.kernel.ports import OutgoingMail


class EmlDirectoryMailer:
    """The demo's mailer: open ``var/outbox/*.eml`` to read the codes.

    Writing is atomic (temp file, fsync, rename) and keyed by the message id,
    so delivering the same recorded message twice leaves one file.
    """

    def __init__(self, directory: Path, sender: str = "lkk@localhost") -> None:
        self.directory, self.sender = Path(directory), sender

    def send(self, mail: OutgoingMail) -> None:
        """Write the message as an .eml file, replacing an earlier delivery of it."""
        target = self.directory / f"{mail.message_id}.eml"
        if target.parent != self.directory:
            msg = f"message id {mail.message_id!r} is not a plain file name"
            raise ValueError(msg)
        self.directory.mkdir(parents=True, exist_ok=True)
        data = build_message(mail, sender=self.sender).as_bytes()
        # The temp file lives in the same directory so that os.replace is a rename, not a copy.
        fd, temp = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _fsync_directory(self.directory)


def _fsync_directory(directory: Path) -> None:
    # The outbox moves on once send returns, so the rename itself must survive a crash.
    if os.name != "posix":  # Windows cannot open a directory; NTFS journals the rename
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
