"""Feature apps add a section to an agent's page on the staff screen (routing: the agent's
skills) without accounts importing them: a small htmx partial served from the app's own URL."""

from dataclasses import dataclass


@dataclass(frozen=True)
class StaffPanel:
    name: str
    title: str
    url_name: str  # reversed with the user's id as the only argument
    order: int = 100


_panels: list[StaffPanel] = []


def register_staff_panel(panel: StaffPanel) -> None:
    if all(p.name != panel.name for p in _panels):
        _panels.append(panel)
        _panels.sort(key=lambda p: p.order)


def staff_panels() -> list[StaffPanel]:
    return list(_panels)
