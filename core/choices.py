"""Labels of Django choices, for the exports and print-outs that write them out."""


def labels(choices) -> dict[str, str]:
    """Each value of a choices class (``MeetingStatus``) with its label in the active language."""
    return {value: str(label) for value, label in choices.choices}
