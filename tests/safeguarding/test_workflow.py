"""What every stage's services share (safeguarding/workflow.py)."""


def test_a_step_done_twice_says_it_is_done_not_a_move_to_itself():
    """The back button or a second click asks a record to become what it already is."""
    from notifications.models import Status
    from safeguarding.workflow import move_refused

    again = move_refused("an incident", Status.NOTIFIED, Status.NOTIFIED)
    assert str(again) == (
        "This has already been done: the incident is ‘Notified’. Go back to the incident to see it."
    )
    other = move_refused("an incident", Status.DRAFT, Status.NOTIFIED)
    assert str(other) == "An incident that is ‘Draft’ cannot become ‘Notified’."
