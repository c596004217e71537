"""A screen that prints labels: the PDF is written in a worker and its path shown."""

from __future__ import annotations

from textual import on, work

from hudang.tui.i18n import L
from hudang.tui.messages import LabelsWritten
from hudang.tui.screens.base import DeskScreen


class LabelPrintingScreen(DeskScreen):
    """Base of the screens with a label key; subclasses have a `status` StatusLine."""

    @work(thread=True, exclusive=True, exit_on_error=False, group="labels")
    def write_labels(self, box: str | None = None, scope: str | None = None) -> None:
        """A box label when `box` is given, else position labels for every cell of `scope`."""
        services = self.app.services  # labels in the site's layout; errors reach the app's
        path = services.box_label(box) if box else services.position_labels(scope)  # handler
        self.post_message(LabelsWritten(str(path)))

    @on(LabelsWritten)
    def _labels_written(self, message: LabelsWritten) -> None:
        if message.error:
            self.status.show(message.error, "error")
        else:
            self.status.show(L("labels_written", f=message.path), "ok")
