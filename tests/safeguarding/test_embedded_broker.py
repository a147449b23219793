"""The embedded demo's broker (kombu's filesystem transport, safeguarding/broker.py): a
worker polling the queue folder while messages are being written gets each message
whole, never an empty or half-written file (which stopped the demo's worker with a
JSONDecodeError)."""

import threading
from queue import Empty

from kombu import Connection

from safeguarding.broker import Transport

MESSAGES = 300
BODY = "x" * 200_000  # large, so that writing one takes a while


def connection(folder):
    return Connection(
        "filesystem://",
        transport=Transport,
        transport_options={
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "staging_folder": str(folder / "staging"),
            "control_folder": str(folder / "control"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
        },
    )


def test_a_worker_polling_hard_only_ever_sees_whole_messages(tmp_path):
    for name in ("queue", "staging", "control", "processed"):
        (tmp_path / name).mkdir()
    received, errors, done = [], [], threading.Event()

    def consume():
        # As a worker does right after taking a message: it looks again at once.
        with connection(tmp_path) as conn:
            channel = conn.default_channel
            while not (done.is_set() and len(received) == MESSAGES):
                try:
                    received.append(channel._get("work"))
                except Empty:
                    if done.is_set() and not any((tmp_path / "queue").iterdir()):
                        return
                except Exception as error:  # what kombu's own transport raised here
                    errors.append(repr(error))
                    return

    consumer = threading.Thread(target=consume)
    consumer.start()
    with connection(tmp_path) as conn:
        channel = conn.default_channel
        for n in range(MESSAGES):
            channel._put("work", {"n": n, "body": BODY})
    done.set()
    consumer.join(60)
    assert errors == []
    assert sorted(m["n"] for m in received) == list(range(MESSAGES))
    assert all(m["body"] == BODY for m in received)
    assert list((tmp_path / "staging").iterdir()) == []


def test_a_folder_broker_claims_no_host_so_kombu_warns_of_none(tmp_path, caplog):
    """kombu's virtual transports default to the host 'localhost', so each copy of a
    `filesystem://` connection (Celery's producer pool makes them as `seed_demo` queues
    its e-mails) logged "No hostname was supplied. Reverting to default 'localhost'"
    among the demo's sign-ins. A folder has no host."""
    import logging

    with caplog.at_level(logging.WARNING, logger="kombu.connection"):
        conn = connection(tmp_path)
        copy = conn.clone()
        copy.info()
    assert "No hostname" not in caplog.text
    assert copy.transport_options["data_folder_in"] == str(tmp_path / "queue")
