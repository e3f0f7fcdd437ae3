"""Small helpers shared by test modules."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def login_verified(client, user):
    """Sign in as a person who has passed the second factor (staff, panelists)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Phone", defaults={"confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


THREAD_TIMEOUT = 30  # seconds; a deadlock fails the test instead of hanging it


def run_at_once(calls) -> list:
    """Run each call in its own thread, all released together after their set-up;
    return each call's result or exception.

    ``calls`` are pairs (prepare, act): ``prepare()`` loads rows on the thread's own
    connection, then ``act(*prepared)`` runs once every thread is ready.
    """
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def attempt(index):
        prepare, act = calls[index]
        try:
            prepared = prepare()
            barrier.wait(timeout=THREAD_TIMEOUT)
            outcomes[index] = act(*prepared)
        except Exception as error:  # noqa: BLE001 - handed back to the test
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=THREAD_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcomes
