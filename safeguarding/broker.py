"""The embedded demo's broker: kombu's filesystem transport, with each message written
whole before it appears in the queue folder.

kombu's own `_put` creates the message file in the queue folder and then writes to it, so
a worker polling the folder can take the file while it is still empty and stop on a
JSONDecodeError (kombu issue 1551). Here the message is written and flushed in a staging
folder on the same file system, then renamed into the queue folder: a rename is atomic,
so a worker sees a whole message or none.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    @property
    def staging_folder(self) -> str:
        folder = self.transport_options.get("staging_folder") or os.path.join(
            self.data_folder_out, os.pardir, "staging"
        )
        os.makedirs(folder, exist_ok=True)
        return folder

    def _put(self, queue, payload, **kwargs):
        """Put the message on `queue`: written in full, then moved in."""
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        staged = os.path.join(self.staging_folder, name)
        try:
            with open(staged, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
                f.flush()
                os.fsync(f.fileno())
            os.replace(staged, os.path.join(self.data_folder_out, name))
        except OSError as exc:
            raise ChannelError(f"Cannot add file {name!r} to the queue folder") from exc


class Transport(filesystem.Transport):
    Channel = Channel

    @property
    def default_connection_params(self):
        """No host: the queue is a folder. (kombu's virtual transports default to
        'localhost', and each copy of a `filesystem://` connection, as Celery's producer
        pool makes, then warned "No hostname was supplied. Reverting to default
        'localhost'".)"""
        return {"port": self.default_port}
